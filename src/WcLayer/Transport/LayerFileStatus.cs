namespace WcLayer.Transport;

/// <summary>The status of a path in a layer folder (never following links).</summary>
/// <param name="Kind">What the path is.</param>
/// <param name="Size">Bytes of content.</param>
/// <param name="NumberOfLinks">Hard link count.</param>
/// <param name="FileId">Identifies the file within the machine (device and inode).</param>
/// <param name="LastWriteTime">Modification time, FILETIME ticks.</param>
/// <param name="LastAccessTime">Access time, FILETIME ticks.</param>
/// <param name="ChangeTime">Status change time, FILETIME ticks.</param>
/// <param name="CreationTime">Birth time where the file system keeps it, else the modification time.</param>
internal readonly record struct LayerFileStatus(LayerFileKind Kind, long Size, uint NumberOfLinks, UInt128 FileId, long LastWriteTime = 0, long LastAccessTime = 0, long ChangeTime = 0, long CreationTime = 0)
{
    public bool IsDirectory => Kind == LayerFileKind.Directory;

    /// <summary>An overlay whiteout: a character device 0/0 (its kind is <see cref="LayerFileKind.Other"/>).</summary>
    public bool IsWhiteout { get; init; }
}
