namespace WcLayer;

/// <summary>The hard-link information of a layer entry (hcsshim's <c>LinkInfo</c>).</summary>
/// <param name="NumberOfLinks">How many names the file has (1 for a file without hard links).</param>
/// <param name="FileId">A 128-bit identifier of the file, the same for every name of one file within a layer.</param>
public readonly record struct LayerLinkInfo(uint NumberOfLinks, UInt128 FileId);
