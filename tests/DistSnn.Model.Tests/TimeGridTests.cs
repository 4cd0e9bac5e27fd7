namespace DistSnn.Model.Tests;

/// <summary>
/// The time grid owns the one rule by which ms become steps: whole tics of 1 µs (half up), then whole steps (half up,
/// or up to the next step for start times). The examples' step counts are those of the rule the engine used before.
/// </summary>
public class TimeGridTests
{
    private static readonly TimeGrid Grid = new(0.1);

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.1, 1)]
    [InlineData(1.5, 15)]
    [InlineData(0.35, 4)]   // 0.35 / 0.1 = 3.4999… in floating point; 350 tics are exactly 3.5 steps
    [InlineData(0.25, 3)]   // half a step rounds up, not to the even neighbour
    [InlineData(0.3449, 3)]
    [InlineData(0.3495, 4)] // 349.5 tics round up to 350 tics, which is half a step
    [InlineData(0.3494, 3)]
    [InlineData(1000, 10000)]
    [InlineData(-0.15, -1)] // half up means towards +inf for negative times too
    [InlineData(-0.16, -2)]
    public void Steps_round_half_a_step_up_on_whole_tics(double ms, long steps) => Assert.Equal(steps, Grid.Steps(ms));

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.3, 3)]
    [InlineData(0.31, 4)]
    [InlineData(0.3004, 3)] // within half a tic of the boundary it is the boundary
    [InlineData(0.3006, 4)]
    [InlineData(-0.31, -3)]
    public void A_start_time_goes_to_the_first_step_boundary_at_or_after_it(double ms, long steps) =>
        Assert.Equal(steps, Grid.StepsAtOrAfter(ms));

    [Fact]
    public void Tics_are_microseconds_rounded_half_up()
    {
        Assert.Equal(100, Grid.TicsPerStep);
        Assert.Equal(1500, TimeGrid.Tics(1.5));
        Assert.Equal(350, TimeGrid.Tics(0.35));
        Assert.Equal(1, TimeGrid.Tics(0.0005));
        Assert.Equal(0, TimeGrid.Tics(0.00049));
        Assert.Equal(25, new TimeGrid(0.025).TicsPerStep);
        Assert.Throws<ArgumentOutOfRangeException>(() => TimeGrid.Tics(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => TimeGrid.Tics(double.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>(() => TimeGrid.Tics(2 * TimeGrid.MaxMs));
    }

    [Theory]
    [InlineData(0.1, true)]
    [InlineData(0.025, true)]
    [InlineData(0.001, true)]
    [InlineData(1.0, true)]
    [InlineData(0.0005, false)]
    [InlineData(0.1234567, false)]
    [InlineData(0.0, false)]
    [InlineData(-0.1, false)]
    [InlineData(double.NaN, false)]
    [InlineData(double.PositiveInfinity, false)]
    public void A_step_must_be_a_positive_whole_number_of_tics(double dt, bool valid)
    {
        Assert.Equal(valid, TimeGrid.IsValidDt(dt));
        if (!valid) Assert.Throws<ArgumentOutOfRangeException>(() => new TimeGrid(dt));
    }

    [Fact]
    public void Whole_steps_and_back()
    {
        Assert.True(Grid.IsWholeSteps(0.3));
        Assert.True(Grid.IsWholeSteps(1e6));
        Assert.False(Grid.IsWholeSteps(0.35));
        Assert.Equal(1.5, Grid.Ms(15), 12);
    }

    [Fact]
    public void A_step_finer_than_a_tic_is_refused_naming_run_dt()
    {
        var errors = NetworkValidator.Validate(new NetworkSpec { Run = new RunSettings { Dt = 0.0005 } });
        var error = Assert.Single(errors, e => e.Path == "run.dt");
        Assert.Contains("whole number of µs", error.Message);
    }

    /// <summary>
    /// Every time the examples turn into steps (duration, delays, refractory periods, recording and normalisation
    /// intervals, source start and stop) gives the same count under the grid's rule as under the rounding of a
    /// floating quotient the engine used before, so no example's spikes change.
    /// </summary>
    [Theory]
    [InlineData("brunel.yaml")]
    [InlineData("brunel_stdp.yaml")]
    [InlineData("cuba.yaml")]
    [InlineData("coba.yaml")]
    public void No_step_count_of_an_example_changes(string example)
    {
        var spec = ModelLoader.LoadFile(ExampleFileTests.Example(example));
        var times = ConvertedTimes(spec).ToList();
        Assert.NotEmpty(times);
        var grid = spec.Run.Grid;
        foreach (var (path, ms) in times)
            Assert.True((long)Math.Round(ms / spec.Run.Dt) == grid.Steps(ms),
                $"{example}: {path} = {ms} ms is {grid.Steps(ms)} steps on the grid, {(long)Math.Round(ms / spec.Run.Dt)} before");
        Assert.Equal(10000, spec.Run.Steps);
    }

    private static IEnumerable<(string Path, double Ms)> ConvertedTimes(NetworkSpec spec)
    {
        yield return ("run.duration", spec.Run.Duration);
        for (int i = 0; i < spec.Populations.Count; i++)
            foreach (var p in spec.Populations[i].Model.Parameters)
                if (p.Name is "t_ref" or "start" || p.Name == "stop" && double.IsFinite(p.Get(spec.Populations[i].Model)))
                    yield return ($"populations[{i}].parameters.{p.Name}", p.Get(spec.Populations[i].Model));
        for (int j = 0; j < spec.Projections.Count; j++)
        {
            var proj = spec.Projections[j];
            yield return ($"projections[{j}].delay", proj.Delay.Lower);
            if (proj.Synapse.IsPlastic) yield return ($"projections[{j}].synapse.normalize_interval", proj.Synapse.NormalizeInterval);
        }
        for (int r = 0; r < spec.Recording.State.Count; r++)
            yield return ($"record.state[{r}].interval", spec.Recording.State[r].Interval);
    }
}
