# DistSnn node image: `distsnn node` (and every other distsnn command) on the ASP.NET runtime, as a non-root user.
#   docker build -t REGISTRY/distsnn:1.0.0 .
# The Helm chart in helm/distsnn runs it with a read-only root filesystem; temporary files go to /tmp (a volume).

# Build stage: runs on the build machine's platform and cross-publishes for the target architecture.
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TARGETARCH
WORKDIR /src
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The whole source tree (see .dockerignore): the CLI references most layers, and a project added to its references
# needs no change here.
COPY . .
# ReadyToRun: compiled ahead of time, so a node (and every short command) starts without compiling its code first.
RUN dotnet restore cluster/DistSnn.Cli/DistSnn.Cli.csproj -a "$TARGETARCH" -p:PublishReadyToRun=true
RUN dotnet publish cluster/DistSnn.Cli/DistSnn.Cli.csproj -c Release -a "$TARGETARCH" --self-contained false \
    -p:PublishReadyToRun=true --no-restore -o /app

# Runtime stage: the ASP.NET Core runtime (the admin endpoint is ASP.NET Core), no SDK.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
ARG UID=10001
RUN groupadd --gid "$UID" distsnn && useradd --uid "$UID" --gid "$UID" --no-create-home --shell /usr/sbin/nologin distsnn
WORKDIR /app
COPY --from=build /app .
# The admin URL comes from DistSnn:Admin:Url (--admin-url), not from the image's default port 8080.
ENV ASPNETCORE_HTTP_PORTS= \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
# Remoting, Akka.Management (Cluster Bootstrap), admin endpoint.
EXPOSE 4053 8558 9100
USER ${UID}:${UID}
# Absolute path: the chart sets the working directory to the data volume.
ENTRYPOINT ["dotnet", "/app/distsnn.dll"]
CMD ["node"]
