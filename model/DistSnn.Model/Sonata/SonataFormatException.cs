namespace DistSnn.Model.Sonata;

/// <summary>
/// A SONATA network that cannot be read or mapped: the message names the file, and where it applies the population
/// and the attribute (<c>nodes.h5: /nodes/v1/0/dynamics_params/tau_m: …</c>).
/// </summary>
public sealed class SonataFormatException(string message) : Exception(message);
