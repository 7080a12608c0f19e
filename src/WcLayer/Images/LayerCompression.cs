namespace WcLayer.Images;

/// <summary>How a layer blob is compressed.</summary>
public enum LayerCompression
{
    /// <summary>A plain tar.</summary>
    None,

    /// <summary>gzip (RFC 1952), the default of every registry and client.</summary>
    Gzip,

    /// <summary>Zstandard (RFC 8878): faster to decompress, not read by older clients.</summary>
    Zstd,
}
