namespace DistSnn.Cluster.Output;

/// <summary>
/// The <c>sorting</c> attribute of a SONATA spikes population (<c>/spikes/&lt;population&gt;</c>): an HDF5 enumeration of
/// base type uint8 with members <c>none = 0</c>, <c>by_id = 1</c>, <c>by_time = 2</c>, as libsonata writes and reads it
/// (a string there makes libsonata's reader fail). PureHDF writes a C# enum as an HDF5 enumeration named by its members,
/// which is why the members carry the SONATA spellings rather than C# ones.
/// </summary>
#pragma warning disable CA1707 // The member names are the HDF5 enumeration's, fixed by the SONATA specification.
public enum SonataSorting : byte
{
    /// <summary>No particular order.</summary>
    none = 0,
    /// <summary>Sorted by node id.</summary>
    by_id = 1,
    /// <summary>Sorted by time (then node id, in DistSnn's files).</summary>
    by_time = 2,
}
#pragma warning restore CA1707
