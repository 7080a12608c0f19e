namespace WcLayer.Transport;

/// <summary>The status of a path in a layer folder (never following links).</summary>
/// <param name="Kind">What the path is.</param>
/// <param name="Size">Bytes of content.</param>
/// <param name="NumberOfLinks">Hard link count.</param>
/// <param name="FileId">Identifies the file within the machine (device and inode).</param>
internal readonly record struct LayerFileStatus(LayerFileKind Kind, long Size, uint NumberOfLinks, UInt128 FileId)
{
    public bool IsDirectory => Kind == LayerFileKind.Directory;
}
