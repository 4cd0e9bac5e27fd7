using DistSnn.Model;

namespace DistSnn.Hardware.Memristive;

/// <summary>How one projection is cut into tiles: rows are its presynaptic neurons, columns its targets.</summary>
/// <param name="Projection">Index in the model.</param>
/// <param name="Name">Its label, or source->target.</param>
/// <param name="Rows">Presynaptic neurons.</param>
/// <param name="Columns">Target neurons.</param>
/// <param name="RowTiles">Tiles down the rows.</param>
/// <param name="ColumnTiles">Tiles across the columns.</param>
/// <param name="ExpectedSynapses">Synapses the connector makes on average (for utilisation before a run).</param>
public sealed record ProjectionTiling(int Projection, string Name, int Rows, int Columns, int RowTiles, int ColumnTiles, double ExpectedSynapses)
{
    /// <summary>Tiles in all.</summary>
    public long Tiles => (long)RowTiles * ColumnTiles;

    /// <summary>Expected synapses per cell of those tiles.</summary>
    public double ExpectedUtilisation(DeviceParameters p) => ExpectedSynapses / (Tiles * (double)p.TileRows * p.TileColumns);
}

/// <summary>The tiling of the crossbar projections of a model: a function of the model and the tile size alone.</summary>
public static class CrossbarTiling
{
    /// <summary>The tiling of every projection <paramref name="chosen"/> for crossbars.</summary>
    public static IReadOnlyList<ProjectionTiling> Of(NetworkSpec spec, DeviceParameters p, bool[] chosen)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(p);
        var result = new List<ProjectionTiling>();
        for (int j = 0; j < spec.Projections.Count; j++)
        {
            if (!chosen[j]) continue;
            var proj = spec.Projections[j];
            int rows = spec.Populations[spec.PopulationIndex(proj.Source)].Size;
            int cols = spec.Populations[spec.PopulationIndex(proj.Target)].Size;
            result.Add(new ProjectionTiling(j, proj.Label ?? $"{proj.Source}->{proj.Target}", rows, cols,
                (rows + p.TileRows - 1) / p.TileRows, (cols + p.TileColumns - 1) / p.TileColumns, ExpectedSynapses(proj.Connector, rows, cols)));
        }
        return result;
    }

    /// <summary>Chips the tiling needs at <see cref="DeviceParameters.TilesPerChip"/> (a projection may span chips).</summary>
    public static long ChipsNeeded(IEnumerable<ProjectionTiling> tiling, DeviceParameters p) =>
        (tiling.Sum(t => t.Tiles) + p.TilesPerChip - 1) / p.TilesPerChip;

    /// <summary>
    /// The projection whose tiles no longer fit the <see cref="DeviceParameters.Chips"/> given (tiles placed in
    /// projection order), with the tiles needed and available; null when they fit or the chip count is open.
    /// </summary>
    public static (ProjectionTiling Projection, long Needed, long Available)? Overflow(IEnumerable<ProjectionTiling> tiling, DeviceParameters p)
    {
        if (p.Chips == 0) return null;
        long available = (long)p.Chips * p.TilesPerChip, used = 0;
        foreach (var t in tiling)
        {
            used += t.Tiles;
            if (used > available) return (t, used, available);
        }
        return null;
    }

    private static double ExpectedSynapses(Connector connector, int rows, int cols) => connector switch
    {
        AllToAll => (double)rows * cols,
        OneToOne => Math.Min(rows, cols),
        FixedProbability fp => fp.P * rows * cols,
        FixedNumberPre fn => (double)fn.N * cols,
        FixedNumberPost fn => (double)fn.N * rows,
        FixedTotalNumber ft => ft.N,
        FromList fl => fl.Synapses.Count,
        Conv cv => (double)cv.Channels * cv.Kernel * cv.Kernel * cols,
        _ => 0,
    };
}
