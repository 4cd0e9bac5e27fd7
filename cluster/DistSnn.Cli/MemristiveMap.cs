using System.Globalization;
using System.Text.Json;
using DistSnn.Hardware.Memristive;
using DistSnn.Model;
using Spectre.Console;

namespace DistSnn.Cli;

/// <summary>
/// <c>distsnn hw map MODEL --target memristive</c>: the crossbar tiling of a model (every population not placed
/// elsewhere on the chips of one preset): tiles per projection, expected utilisation, chips; nothing is run.
/// </summary>
internal static class MemristiveMap
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static int Execute(FileInfo model, string preset, string[] options, double scale, bool json, DirectoryInfo? outOption)
    {
        if (!DeviceParameters.Presets.ContainsKey(preset))
            return Refuse($"--preset: unknown preset '{preset}' (known: {string.Join(", ", DeviceParameters.PresetNames)})");
        if (HardwareCommand.LoadScaled(model, scale) is not { } spec || Backends.WithMemristiveOptions(spec, options) is not { } withOptions) return ExitCodes.BadInput;
        string backend = $"{MemristiveSettings.Section}:{preset}";
        spec = withOptions with
        {
            Populations = withOptions.Populations.Select(p => p.Model.IsSource || p.Backend is not null ? p : p with { Backend = backend }).ToArray(),
        };
        var errors = Backends.Registry.Check(spec);
        foreach (var err in errors) Console.Error.WriteLine($"error: {model.FullName}: {err}");
        if (errors.Count > 0) return ExitCodes.BadInput;
        // Every memristive backend of the model, each with its own preset's figures (tile sizes may differ).
        var p = MemristiveSettings.Of(spec, preset);
        var tiling = new List<ProjectionTiling>();
        foreach (var group in Enumerable.Range(0, spec.Populations.Count).Where(i => MemristiveSettings.PresetOf(spec.Populations[i].BackendName) is not null)
                     .GroupBy(i => spec.Populations[i].BackendName))
        {
            var figures = MemristiveSettings.Of(spec, MemristiveSettings.PresetOf(group.Key)!);
            var (chosen, _) = MemristiveSettings.Chosen(spec, figures, group.ToArray());
            tiling.AddRange(CrossbarTiling.Of(spec, figures, chosen));
        }
        tiling.Sort((a, b) => a.Projection.CompareTo(b.Projection));
        var report = new
        {
            model = spec.Name, preset, tile_rows = p.TileRows, tile_columns = p.TileColumns, tiles_per_chip = p.TilesPerChip,
            tiles = tiling.Sum(t => t.Tiles), chips = CrossbarTiling.ChipsNeeded(tiling, p),
            expected_synapses = tiling.Sum(t => t.ExpectedSynapses),
            expected_utilisation = tiling.Sum(t => t.Tiles) > 0 ? tiling.Sum(t => t.ExpectedSynapses) / (tiling.Sum(t => t.Tiles) * (double)p.TileRows * p.TileColumns) : 0,
            projections = tiling.Select(t => new
            {
                projection = t.Projection, name = t.Name, rows = t.Rows, columns = t.Columns, row_tiles = t.RowTiles, column_tiles = t.ColumnTiles,
                tiles = t.Tiles, expected_synapses = t.ExpectedSynapses, expected_utilisation = t.ExpectedUtilisation(p),
            }).ToArray(),
        };
        string outDir = outOption?.FullName ?? Path.Combine("results", spec.Name + "-memristive-map");
        Directory.CreateDirectory(outDir);
        string file = Path.Combine(outDir, "mapping.json");
        var text = JsonSerializer.Serialize(report, Json);
        File.WriteAllText(file, text);
        if (json)
        {
            Console.WriteLine(text);
            return ExitCodes.Ok;
        }
        var ci = CultureInfo.InvariantCulture;
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(spec.Name)} on crossbars ({Markup.Escape(preset)})[/]");
        table.AddColumns("projection", "rows x columns", "tiles", "expected utilisation");
        foreach (var t in tiling)
            table.AddRow(Markup.Escape($"[{t.Projection}] {t.Name}"), string.Create(ci, $"{t.Rows:N0} x {t.Columns:N0}"), string.Create(ci, $"{t.RowTiles} x {t.ColumnTiles} = {t.Tiles:N0}"),
                t.ExpectedUtilisation(p).ToString("P2", ci));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(ci, $"{report.tiles:N0} tiles of {p.TileRows} x {p.TileColumns}, {report.chips} chip(s) of {p.TilesPerChip} tiles, expected utilisation {report.expected_utilisation:P2}")));
        AnsiConsole.MarkupLine($"report: [link]{Markup.Escape(file)}[/]");
        return ExitCodes.Ok;
    }

    private static int Refuse(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return ExitCodes.BadInput;
    }
}
