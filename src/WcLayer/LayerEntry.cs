using WcLayer.Win32;

namespace WcLayer;

/// <summary>One entry of a layer, as returned by <see cref="ILayerReader.Next"/>.</summary>
/// <param name="Name">The layer-relative name with <c>\</c> separators.</param>
/// <param name="Size">The size of the main data stream in bytes (0 for directories and tombstones).</param>
/// <param name="FileInfo">Times and attributes; <see langword="null"/> for a tombstone (a deletion).</param>
public sealed record LayerEntry(string Name, long Size, FileBasicInfo? FileInfo)
{
    /// <summary>Whether the entry is a tombstone: the layer deletes <see cref="Name"/> from its parents.</summary>
    public bool IsTombstone => FileInfo is null;
}
