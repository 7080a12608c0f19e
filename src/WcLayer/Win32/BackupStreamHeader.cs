namespace WcLayer.Win32;

/// <summary>The header of one stream within a Win32 backup stream.</summary>
/// <param name="Id">The stream kind.</param>
/// <param name="Attributes">The stream attributes.</param>
/// <param name="Size">
/// Bytes of data that follow the header. For <see cref="BackupStreamId.SparseBlock"/> this excludes the 8-byte offset
/// field (the wire value is <c>Size + 8</c>).
/// </param>
/// <param name="Name">The stream name, e.g. <c>:ads.txt:$DATA</c>; empty for unnamed streams.</param>
/// <param name="Offset">The file offset of a sparse block; 0 for other streams.</param>
public readonly record struct BackupStreamHeader(
    BackupStreamId Id,
    BackupStreamAttributes Attributes,
    long Size,
    string Name = "",
    long Offset = 0)
{
    /// <summary>The size of the fixed part of a header on the wire (<c>WIN32_STREAM_ID</c> without the name).</summary>
    public const int FixedSize = 20;
}
