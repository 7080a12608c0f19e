using WcLayer.Transport;

namespace WcLayer.Portable;

/// <summary>What the merged view held at a path when it was materialized, to tell later changes apart.</summary>
/// <param name="Layer">Index in the parent list of the layer the entry came from.</param>
/// <param name="Kind">File, directory or symbolic link.</param>
/// <param name="FileId">Device and inode of the materialized file.</param>
/// <param name="Size">Its size.</param>
/// <param name="LastWriteTime">Its modification time.</param>
/// <param name="ChangeTime">Its status change time, which no user can set back.</param>
/// <param name="LinkTarget">For a symbolic link, its target.</param>
internal sealed record ViewEntry(int Layer, LayerFileKind Kind, UInt128 FileId, long Size, long LastWriteTime, long ChangeTime, string? LinkTarget)
{
    public bool IsUnchanged(LayerFileStatus status) =>
        status.Kind == Kind && status.FileId == FileId && status.Size == Size && status.LastWriteTime == LastWriteTime && status.ChangeTime == ChangeTime;
}
