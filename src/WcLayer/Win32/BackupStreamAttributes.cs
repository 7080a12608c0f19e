namespace WcLayer.Win32;

/// <summary>The <c>dwStreamAttributes</c> flags of a Win32 backup stream.</summary>
[Flags]
public enum BackupStreamAttributes : uint
{
    /// <summary>No attributes.</summary>
    None = 0,

    /// <summary><c>STREAM_MODIFIED_WHEN_READ</c>.</summary>
    ModifiedWhenRead = 1,

    /// <summary><c>STREAM_CONTAINS_SECURITY</c>.</summary>
    ContainsSecurity = 2,

    /// <summary><c>STREAM_CONTAINS_PROPERTIES</c>.</summary>
    ContainsProperties = 4,

    /// <summary><c>STREAM_SPARSE_ATTRIBUTE</c>: the stream belongs to a sparse file.</summary>
    Sparse = 8,
}
