namespace WcLayer;

/// <summary>Progress of a layer import or export, reported after each entry.</summary>
/// <param name="Entries">Entries processed so far.</param>
/// <param name="Bytes">Bytes of main data streams processed so far.</param>
/// <param name="CurrentName">The entry just processed.</param>
public readonly record struct LayerProgress(long Entries, long Bytes, string? CurrentName);
