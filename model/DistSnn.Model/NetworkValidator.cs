using System.Diagnostics.CodeAnalysis;

namespace DistSnn.Model;

/// <summary>
/// Semantic checks of a <see cref="NetworkSpec"/>, whether it was loaded from a file or built in C#. Every check
/// runs, so one call reports all problems. Errors carry the field path (e.g. <c>projections[2].delay</c>) and no
/// file or line; <see cref="ModelLoader"/> adds those for specs it read.
/// </summary>
public static partial class NetworkValidator
{
    /// <summary>Relative tolerance for comparisons against dt, so that e.g. <c>100 us</c> equals <c>0.1 ms</c>.</summary>
    private const double Tolerance = 1e-9;

    /// <summary>All problems with <paramref name="spec"/>; empty when it is valid.</summary>
    public static IReadOnlyList<ModelError> Validate(NetworkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var checker = new Checker(spec);
        checker.Run();
        return checker.Errors;
    }

    /// <summary>Throws a <see cref="ModelException"/> listing every problem with <paramref name="spec"/>.</summary>
    public static void ThrowIfInvalid(NetworkSpec spec, string? fileName = null)
    {
        var errors = Validate(spec);
        if (errors.Count == 0) return;
        throw new ModelException(fileName is null ? errors : errors.Select(e => e with { File = fileName }).ToList());
    }

    /// <summary>Returns <paramref name="spec"/> unchanged when it is valid; throws <see cref="ModelException"/> otherwise.</summary>
    public static NetworkSpec Validated(this NetworkSpec spec)
    {
        ThrowIfInvalid(spec);
        return spec;
    }

    private sealed partial class Checker(NetworkSpec spec)
    {
        private readonly Dictionary<string, PopulationSpec> _byName = new(StringComparer.Ordinal);
        private double _dt = double.NaN;

        public List<ModelError> Errors { get; } = [];

        private bool DtKnown => !double.IsNaN(_dt);

        private void Add(string path, string message) => Errors.Add(new ModelError(path, message));

        private static string Ms(double v) => Units.Format(v, Dimension.Time);

        private static string DimName(Dimension d) =>
            d == Dimension.Dimensionless ? "a plain number" : $"a {d.ToString().ToLowerInvariant()}";

        public void Run()
        {
            CheckRun();
            CheckPopulations();
            var projections = spec.Projections ?? [];
            for (int k = 0; k < projections.Count; k++) CheckProjection(projections[k], $"projections[{k}]");
            var inputs = spec.PoissonInputs ?? [];
            for (int k = 0; k < inputs.Count; k++) CheckPoissonInput(inputs[k], $"poisson_inputs[{k}]");
            var currents = spec.Currents ?? [];
            for (int k = 0; k < currents.Count; k++) CheckCurrent(currents[k], $"currents[{k}]");
            CheckRecording();
            CheckReward();
            CheckExchangeLag();
            CheckBackendOptions();
            CheckDataset();
        }

        /// <summary>After everything else: the minimum delay is only meaningful for an otherwise valid network.</summary>
        private void CheckExchangeLag()
        {
            if (spec.Run?.ExchangeLag is not int lag) return;
            if (lag < 1)
            {
                Add("run.exchange_lag", $"{lag} is not a valid lag; it must be a whole number >= 1");
                return;
            }
            if (Errors.Count > 0) return;
            long min = spec.MinDelaySteps();
            if (lag > min)
                Add("run.exchange_lag", $"{lag} is larger than the minimum delay of {min} steps; an epoch must be at least one step");
        }

        private void CheckRun()
        {
            if (spec.Run is not { } run)
            {
                Add("run", "is required");
                return;
            }
            if (TimeGrid.IsValidDt(run.Dt)) _dt = run.Dt;
            else if (run.Dt > 0 && run.Dt <= TimeGrid.MaxMs)
                Add("run.dt", $"{Ms(run.Dt)} is not a whole number of µs, the resolution of the time grid");
            else Add("run.dt", $"{Ms(run.Dt)} is not a valid step; dt must be a positive, finite time");
            if (!(run.Duration >= 0) || !(run.Duration <= TimeGrid.MaxMs))
                Add("run.duration", $"{Ms(run.Duration)} is not a valid duration; it must be a finite time from 0 ms to {TimeGrid.MaxMs:G} ms");
        }

        private void CheckPopulations()
        {
            var populations = spec.Populations ?? [];
            if (populations.Count == 0) Add("populations", "at least one population is required");
            var firstIndex = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < populations.Count; i++)
            {
                var p = populations[i];
                var path = $"populations[{i}]";
                if (p is null)
                {
                    Add(path, "is null");
                    continue;
                }
                if (string.IsNullOrWhiteSpace(p.Name))
                    Add($"{path}.name", "must not be empty");
                else if (firstIndex.TryGetValue(p.Name, out var first))
                    Add($"{path}.name", $"'{p.Name}' is already the name of populations[{first}]");
                else
                {
                    firstIndex[p.Name] = i;
                    _byName[p.Name] = p;
                }
                if (p.Size < 1) Add($"{path}.size", $"{p.Size} is too small; a population needs at least 1 neuron");
                if (p.Backend is { } backend && !IsBackendName(backend))
                    Add($"{path}.backend", $"'{backend}' is not a backend name (lower-case letters, digits, '_' and ':', starting with a letter)");
                if (p.Model is null)
                {
                    Add($"{path}.model", "is required");
                    continue;
                }
                bool thresholdVaries = p.PerNeuron.ContainsKey("v_th") || p.PerNeuron.ContainsKey("v_reset");
                foreach (var (field, reason) in p.Model.Check())
                    if (!p.PerNeuron.ContainsKey(field) && !(thresholdVaries && field is "v_th" or "v_reset"))
                        Add($"{path}.parameters.{field}", reason);
                CheckPerNeuron(p, path);
                if (p.Model is SpikeGenerator sg) CheckSpikeTimes(sg, p, $"{path}.parameters.spike_times");
                foreach (var (name, value) in p.Initial ?? new Dictionary<string, ValueSpec>())
                {
                    var ipath = $"{path}.initial.{name}";
                    if (StateDimension(p.Model, name, ipath, "initialise") is Dimension dim)
                        CheckValue(value, ipath, [dim]);
                    if (value is ArrayValue a && a.Count != p.Size)
                        Add(ipath, $"{a} holds {a.Count} values; the population has {p.Size} neurons");
                }
            }
        }

        private static bool IsBackendName(string name) =>
            name.Length is > 0 and <= 64 && name[0] is >= 'a' and <= 'z' && name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' or ':');

        private void CheckBackendOptions()
        {
            foreach (var name in (spec.BackendOptions ?? new Dictionary<string, IReadOnlyDictionary<string, string>>()).Keys)
                if (!IsBackendName(name))
                    Add($"backends.{name}", $"'{name}' is not a backend name (lower-case letters, digits, '_' and ':', starting with a letter)");
        }

        private void CheckSpikeTimes(SpikeGenerator sg, PopulationSpec p, string path)
        {
            var lists = sg.SpikeTimes;
            if (lists is null)
            {
                Add(path, "is required");
                return;
            }
            if (lists.Count != 1 && lists.Count != p.Size && p.Size >= 1)
                Add(path, $"has {lists.Count} lists, but '{p.Name}' has {p.Size} sources; give one list shared by all sources or one list per source");
            for (int k = 0; k < lists.Count; k++)
            {
                var prefix = lists.Count == 1 ? path : $"{path}[{k}]";
                if (lists[k] is not { } times)
                {
                    Add(prefix, "is null");
                    continue;
                }
                for (int j = 0; j < times.Count; j++)
                {
                    var t = times[j];
                    if (!double.IsFinite(t))
                        Add($"{prefix}[{j}]", $"{t} is not a valid spike time");
                    else if (DtKnown && t < _dt * (1 - Tolerance))
                        Add($"{prefix}[{j}]", $"{Ms(t)} is earlier than dt = {Ms(_dt)}; a spike is stamped at the end of a step, so the earliest spike time is dt");
                }
            }
        }

        private Dimension? StateDimension(NeuronModel model, string variable, string path, string verb)
        {
            var vars = model.StateVariables;
            foreach (var (name, dim) in vars)
                if (name == variable) return dim;
            Add(path, vars.Count == 0
                ? $"{model.Kind} has no state variables to {verb}"
                : $"'{variable}' is not a state variable of {model.Kind} (expected one of: {string.Join(", ", vars.Select(v => v.Name))})");
            return null;
        }

        private bool CheckValue(ValueSpec? value, string path, IReadOnlyList<Dimension> dims)
        {
            if (value is null)
            {
                Add(path, "is required");
                return false;
            }
            if (!dims.Contains(value.Dim))
            {
                Add(path, $"{value} is {DimName(value.Dim)}; expected {Units.Describe(dims)}");
                return false;
            }
            string? problem = value switch
            {
                ConstantValue c when !double.IsFinite(c.Value) => $"{c.Value} is not a finite value",
                UniformValue u when !(double.IsFinite(u.Low) && double.IsFinite(u.High) && u.Low < u.High) =>
                    $"{u} is not a valid distribution; uniform(a, b) needs finite a < b",
                NormalValue n when !(double.IsFinite(n.Mu) && double.IsFinite(n.Sigma) && n.Sigma >= 0) =>
                    $"{n} is not a valid distribution; normal(mu, sigma) needs a finite mu and a finite sigma >= 0",
                _ => null,
            };
            if (problem is null) return true;
            Add(path, problem);
            return false;
        }

        private PopulationSpec? Population(string? name, string path)
        {
            if (string.IsNullOrEmpty(name))
            {
                Add(path, "is required");
                return null;
            }
            if (_byName.TryGetValue(name, out var p)) return p;
            var known = _byName.Keys.Take(12).ToList();
            var list = known.Count == 0 ? "none" : string.Join(", ", known) + (_byName.Count > known.Count ? ", ..." : "");
            Add(path, $"unknown population '{name}' (known: {list})");
            return null;
        }

        private PopulationSpec? Receiver(string? name, string path, string what)
        {
            var p = Population(name, path);
            if (p?.Model is not { IsSource: true } m) return p;
            Add(path, $"'{name}' is a {m.Kind} spike source and cannot receive {what}");
            return null;
        }

        // Index and count checks against a population whose size is itself invalid would only repeat that error.
        private static bool Sized([NotNullWhen(true)] PopulationSpec? p) => p is { Size: >= 1 };

        private void CheckReceptor(Receptor r, string path)
        {
            if (!Enum.IsDefined(r)) Add(path, $"{(int)r} is not a receptor; expected exc or inh");
        }

        private void CheckWeight(ValueSpec? weight, PopulationSpec? target, string path)
        {
            if (weight is null)
            {
                Add(path, "is required");
                return;
            }
            if (target?.Model is not { } model)
            {
                CheckValue(weight, path, [weight.Dim]);
                return;
            }
            var dims = model.WeightDimensions;
            if (!dims.Contains(weight.Dim))
            {
                Add(path, $"{weight} is {DimName(weight.Dim)}; weights onto {model.Kind} must be {Units.Describe(dims)}");
                return;
            }
            if (!CheckValue(weight, path, dims)) return;
            if (weight.Dim == Dimension.Conductance && weight.Lower < 0)
                Add(path, weight is ConstantValue
                    ? $"{weight} is negative; conductance weights must be >= 0 (use receptor: inh for inhibition)"
                    : $"{weight} can be negative; conductance weights must be >= 0");
        }

        private void CheckDelay(ValueSpec? delay, string path)
        {
            if (!CheckValue(delay, path, [Dimension.Time]) || !DtKnown) return;
            var limit = _dt * (1 - Tolerance);
            // Normal delays are unbounded and redrawn below dt by the engine, so only their mean must reach dt.
            if (delay is NormalValue { Sigma: > 0 } n)
            {
                if (n.Mu < limit) Add(path, $"{n} has mean {Ms(n.Mu)}, which is shorter than dt = {Ms(_dt)}");
            }
            else if (delay!.Lower < limit)
            {
                Add(path, delay is ConstantValue
                    ? $"{Ms(delay.Lower)} is shorter than dt = {Ms(_dt)}"
                    : $"{delay} has lower bound {Ms(delay.Lower)}, which is shorter than dt = {Ms(_dt)}");
            }
        }

        /// <summary>Per-synapse data must have one value per synapse of a connector whose synapse order involves no draws.</summary>
        private void CheckArrayValue(ValueSpec? value, ProjectionSpec proj, PopulationSpec? source, PopulationSpec? target, string path)
        {
            if (value is not ArrayValue a || source is null || target is null) return;
            long? expected = proj.Connector switch
            {
                AllToAll => (long)source.Size * target.Size,
                OneToOne => source.Size,
                FromList list => list.Synapses.Count,
                Conv cv => cv.KernelWeights,
                FixedNumberPre { Sources: not null } f => (long)target.Size * f.N,
                _ => null,
            };
            if (expected is null)
                Add(path, $"{a}: values from data need a connector whose synapse order is fixed without random draws " +
                          $"(all_to_all, one_to_one, from_list, conv, or fixed_number_pre with sources), not {proj.Connector.Type}");
            else if (a.Count != expected && proj.Connector is Conv)
                Add(path, $"{a} holds {a.Count} values; the conv connector's kernels [channels, kernel, kernel, out channels] are {expected}");
            else if (a.Count != expected)
                Add(path, $"{a} holds {a.Count} values; the {proj.Connector.Type} connector from '{source.Name}' ({source.Size}) to " +
                          $"'{target.Name}' ({target.Size}) has {expected} synapses" + (proj.Connector is AllToAll ? " (source × target, self-connections included)" : ""));
        }

        private void CheckProjection(ProjectionSpec? proj, string path)
        {
            if (proj is null)
            {
                Add(path, "is null");
                return;
            }
            var source = Population(proj.Source, $"{path}.source");
            var target = Receiver(proj.Target, $"{path}.target", "synapses");
            CheckWeight(proj.Weight, target, $"{path}.weight");
            CheckDelay(proj.Delay, $"{path}.delay");
            CheckReceptor(proj.Receptor, $"{path}.receptor");
            CheckConnector(proj, source, target, $"{path}.connector");
            CheckSynapse(proj, path);
            CheckArrayValue(proj.Weight, proj, source, target, $"{path}.weight");
            CheckArrayValue(proj.Delay, proj, source, target, $"{path}.delay");
        }

        private void CheckSynapse(ProjectionSpec proj, string path)
        {
            if (proj.Synapse is not { } synapse)
            {
                Add($"{path}.synapse", "is null");
                return;
            }
            foreach (var (field, reason) in synapse.Check()) Add($"{path}.synapse.{field}", reason);
            if (!synapse.IsPlastic) return;
            // Plastic synapses keep one pre-synaptic trace per source neuron, which needs one delay per projection.
            if (proj.Delay is not ConstantValue && proj.Delay is not null)
                Add($"{path}.delay", $"{proj.Delay} varies between synapses; {synapse.Kind} synapses need a constant delay");
            if (proj.Connector is FromList list && list.Synapses.Any(s => s.Delay is not null))
                Add($"{path}.connector.synapses", $"listed delays are not allowed with {synapse.Kind} synapses; give one delay for the projection");
            if (proj.Weight is ConstantValue w && synapse.WMax > synapse.WMin && (w.Value < synapse.WMin || w.Value > synapse.WMax))
                Add($"{path}.weight", $"{Units.Format(w.Value, w.Dim)} is outside [w_min, w_max] = [{Units.Format(synapse.WMin, w.Dim)}, {Units.Format(synapse.WMax, w.Dim)}]");
        }

        private void CheckReward()
        {
            if (spec.Reward is not { } reward) return;
            if (reward.Times.Count != reward.Values.Count)
                Add("reward.values", $"has {reward.Values.Count} values for {reward.Times.Count} times");
            for (int k = 0; k < reward.Times.Count; k++)
            {
                if (!double.IsFinite(reward.Times[k]) || reward.Times[k] < 0)
                    Add($"reward.times[{k}]", $"{Ms(reward.Times[k])} is not a time >= 0 ms");
                else if (k > 0 && reward.Times[k] <= reward.Times[k - 1])
                    Add($"reward.times[{k}]", $"{Ms(reward.Times[k])} is not after {Ms(reward.Times[k - 1])}; times must increase");
            }
            for (int k = 0; k < reward.Values.Count; k++)
                if (!double.IsFinite(reward.Values[k])) Add($"reward.values[{k}]", $"{reward.Values[k]} is not a finite number");
        }

        private void CheckConnector(ProjectionSpec proj, PopulationSpec? source, PopulationSpec? target, string path)
        {
            var connector = proj.Connector;
            if (connector is null)
            {
                Add(path, "is required");
                return;
            }
            bool noSelf = !connector.AllowSelfConnections && source is not null && ReferenceEquals(source, target);
            switch (connector)
            {
                case FixedProbability fp:
                    if (!(fp.P >= 0 && fp.P <= 1)) Add($"{path}.p", $"{fp.P} is not a probability; p must be in [0, 1]");
                    break;
                case FixedNumberPre { Sources: { } given } f:
                    CheckGivenSources(f, given, source, target, noSelf, path);
                    break;
                case FixedNumberPre f:
                    CheckFixedNumber(f.N, f.WithReplacement, source, noSelf, $"{path}.n", "sources");
                    break;
                case FixedNumberPost f:
                    CheckFixedNumber(f.N, f.WithReplacement, target, noSelf, $"{path}.n", "targets");
                    break;
                case FixedTotalNumber t:
                    if (t.N < 0) Add($"{path}.n", $"{t.N} is negative; n must be >= 0");
                    break;
                case OneToOne when Sized(source) && Sized(target) && source.Size != target.Size:
                    Add(path, $"one_to_one needs populations of equal size, but '{source.Name}' has {source.Size} neurons and '{target.Name}' has {target.Size}");
                    break;
                case FromList list:
                    CheckListedSynapses(list, proj, source, target, noSelf, $"{path}.synapses");
                    break;
                case Conv cv:
                    if (cv.Height + 2 * cv.Padding < cv.Kernel || cv.Width + 2 * cv.Padding < cv.Kernel)
                        Add($"{path}.kernel", $"a {cv.Kernel}x{cv.Kernel} kernel does not fit the {cv.Height}x{cv.Width} image with padding {cv.Padding}");
                    else
                    {
                        if (Sized(source) && source.Size != cv.SourceSize)
                            Add($"{path}.input", $"[{cv.Channels}, {cv.Height}, {cv.Width}] is {cv.SourceSize} neurons, but '{source.Name}' has {source.Size}");
                        if (Sized(target) && target.Size != cv.TargetSize)
                            Add($"{path}.channels", $"the convolution makes {cv.OutChannels} x {cv.OutHeight} x {cv.OutWidth} = {cv.TargetSize} neurons, but '{target.Name}' has {target.Size}");
                    }
                    break;
            }
        }

        private void CheckFixedNumber(int n, bool withReplacement, PopulationSpec? pool, bool noSelf, string path, string noun)
        {
            if (n < 0)
            {
                Add(path, $"{n} is negative; n must be >= 0");
                return;
            }
            if (!Sized(pool) || n == 0) return;
            long available = (long)pool.Size - (noSelf ? 1 : 0);
            var excluding = noSelf ? " once self-connections are excluded" : "";
            if (available <= 0)
                Add(path, $"n = {n}, but '{pool.Name}' has no {noun} left{excluding}");
            else if (!withReplacement && n > available)
                Add(path, $"n = {n} exceeds the {available} distinct {noun} that '{pool.Name}' offers{excluding}; lower n or set with_replacement: true");
        }

        private void CheckListedSynapses(FromList list, ProjectionSpec proj, PopulationSpec? source, PopulationSpec? target,
            bool noSelf, string path)
        {
            if (list.Synapses is not { } synapses)
            {
                Add(path, "is required");
                return;
            }
            bool conductance = proj.Weight?.Dim == Dimension.Conductance;
            for (int j = 0; j < synapses.Count; j++)
            {
                var s = synapses[j];
                var sp = $"{path}[{j}]";
                CheckIndex(s.Pre, source, $"{sp}.pre");
                CheckIndex(s.Post, target, $"{sp}.post");
                if (noSelf && s.Pre == s.Post)
                    Add(sp, $"connects neuron {s.Pre} to itself, but allow_self_connections is false");
                if (s.Weight is double w)
                {
                    if (!double.IsFinite(w)) Add($"{sp}.weight", $"{w} is not a finite weight");
                    else if (conductance && w < 0)
                        Add($"{sp}.weight", $"{Units.Format(w, Dimension.Conductance)} is negative; conductance weights must be >= 0");
                }
                if (s.Delay is double d)
                {
                    if (!double.IsFinite(d)) Add($"{sp}.delay", $"{d} is not a finite delay");
                    else if (DtKnown && d < _dt * (1 - Tolerance)) Add($"{sp}.delay", $"{Ms(d)} is shorter than dt = {Ms(_dt)}");
                }
            }
        }

        private void CheckIndex(int index, PopulationSpec? p, string path)
        {
            if (Sized(p) && (index < 0 || index >= p.Size))
                Add(path, $"neuron {index} is out of range for '{p.Name}' (indices 0 to {p.Size - 1})");
        }

        private void CheckNeurons(IReadOnlyList<int>? neurons, PopulationSpec? p, string path, bool optional)
        {
            if (neurons is null)
            {
                if (!optional) Add(path, "is required");
                return;
            }
            if (neurons.Count == 0)
            {
                Add(path, optional ? "is empty; leave it out to use every neuron" : "is empty; list at least one neuron");
                return;
            }
            var seen = new HashSet<int>();
            for (int j = 0; j < neurons.Count; j++)
            {
                var n = neurons[j];
                if (Sized(p) && (n < 0 || n >= p.Size)) CheckIndex(n, p, $"{path}[{j}]");
                else if (!seen.Add(n)) Add($"{path}[{j}]", $"neuron {n} is listed twice");
            }
        }

        private void CheckPoissonInput(PoissonInputSpec? input, string path)
        {
            if (input is null)
            {
                Add(path, "is null");
                return;
            }
            var target = Receiver(input.Target, $"{path}.target", "Poisson input");
            if (input.Weight is ArrayValue a)
                Add($"{path}.weight", $"{a}: a Poisson input's weight is one value (data is for projections, initial values and dc amplitudes)");
            if (input.Sources < 1) Add($"{path}.sources", $"{input.Sources} is too small; at least 1 source is needed");
            if (!(input.Rate >= 0) || !double.IsFinite(input.Rate))
                Add($"{path}.rate", $"{Units.Format(input.Rate, Dimension.Rate)} is not a valid rate; it must be finite and >= 0 Hz");
            CheckWeight(input.Weight, target, $"{path}.weight");
            CheckReceptor(input.Receptor, $"{path}.receptor");
        }

        private void CheckCurrent(CurrentSourceSpec? current, string path)
        {
            if (current is null)
            {
                Add(path, "is null");
                return;
            }
            var target = Receiver(current.Target, $"{path}.target", "currents");
            CheckNeurons(current.Neurons, target, $"{path}.neurons", optional: true);
            switch (current)
            {
                case DcCurrentSpec dc:
                    if (!double.IsFinite(dc.Amplitude)) Add($"{path}.amplitude", $"{dc.Amplitude} is not a finite current");
                    int receivers = current.Neurons?.Count ?? target?.Size ?? -1;
                    if (dc.Amplitudes is { } per && receivers >= 0 && per.Count != receivers)
                        Add($"{path}.amplitude", $"{per} holds {per.Count} values; the current reaches {receivers} neurons");
                    if (!(dc.Start >= 0) || !double.IsFinite(dc.Start))
                        Add($"{path}.start", $"{Ms(dc.Start)} is not a valid start; it must be a finite time >= 0 ms");
                    else if (!(dc.Stop > dc.Start))
                        Add($"{path}.stop", $"{Ms(dc.Stop)} is not after start = {Ms(dc.Start)}");
                    break;
                case StepCurrentSpec step:
                    CheckStepCurrent(step, path);
                    break;
            }
        }

        private void CheckStepCurrent(StepCurrentSpec step, string path)
        {
            if (step.Times is null) Add($"{path}.times", "is required");
            if (step.Amplitudes is null) Add($"{path}.amplitudes", "is required");
            if (step.Times is null || step.Amplitudes is null) return;
            if (step.Times.Count == 0) Add($"{path}.times", "is empty; give at least one time");
            if (step.Amplitudes.Count != step.Times.Count)
                Add($"{path}.amplitudes", $"has {step.Amplitudes.Count} values, but times has {step.Times.Count}; give one amplitude per time");
            for (int j = 0; j < step.Times.Count; j++)
            {
                var t = step.Times[j];
                if (!(t >= 0) || !double.IsFinite(t))
                    Add($"{path}.times[{j}]", $"{Ms(t)} is not a valid time; it must be finite and >= 0 ms");
                else if (j > 0 && double.IsFinite(step.Times[j - 1]) && !(t > step.Times[j - 1]))
                    Add($"{path}.times[{j}]", $"{Ms(t)} is not after the previous time {Ms(step.Times[j - 1])}; times must be strictly increasing");
            }
            for (int j = 0; j < step.Amplitudes.Count; j++)
                if (!double.IsFinite(step.Amplitudes[j]))
                    Add($"{path}.amplitudes[{j}]", $"{step.Amplitudes[j]} is not a finite current");
        }

        private void CheckRecording()
        {
            if (spec.Recording is not { } rec) return;
            var spikes = rec.Spikes ?? [];
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int j = 0; j < spikes.Count; j++)
            {
                var path = $"record.spikes[{j}]";
                if (Population(spikes[j], path) is not null && !seen.Add(spikes[j]))
                    Add(path, $"'{spikes[j]}' is listed twice");
            }
            var state = rec.State ?? [];
            for (int k = 0; k < state.Count; k++) CheckStateRecorder(state[k], $"record.state[{k}]");
        }

        private void CheckStateRecorder(StateRecorderSpec? s, string path)
        {
            if (s is null)
            {
                Add(path, "is null");
                return;
            }
            var p = Population(s.Population, $"{path}.population");
            if (s.Variables is not { Count: > 0 } variables)
                Add($"{path}.variables", "is empty; list at least one state variable");
            else
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                for (int j = 0; j < variables.Count; j++)
                {
                    var vpath = $"{path}.variables[{j}]";
                    if (p?.Model is { } model && StateDimension(model, variables[j], vpath, "record") is null) continue;
                    if (!seen.Add(variables[j])) Add(vpath, $"'{variables[j]}' is listed twice");
                }
            }
            CheckNeurons(s.Neurons, p, $"{path}.neurons", optional: false);
            if (!(s.Interval > 0) || !double.IsFinite(s.Interval))
                Add($"{path}.interval", $"{Ms(s.Interval)} is not a valid interval; it must be a positive time");
            else if (DtKnown)
            {
                var grid = new TimeGrid(_dt);
                if (!(s.Interval <= TimeGrid.MaxMs) || grid.Steps(s.Interval) < 1 || !grid.IsWholeSteps(s.Interval))
                    Add($"{path}.interval", $"{Ms(s.Interval)} is not a whole multiple of dt = {Ms(_dt)}");
            }
        }
    }
}
