namespace WcLayer.Images;

/// <summary>Limits applied while reading an image's layers: the defence against decompression bombs.</summary>
public sealed class ImageReadOptions
{
    /// <summary>The largest uncompressed layer accepted, in bytes. Default: no limit beyond the ratio.</summary>
    public long MaxLayerSize { get; init; } = long.MaxValue;

    /// <summary>
    /// The largest accepted ratio of uncompressed to compressed bytes, once past <see cref="ExpansionRatioFloor"/>.
    /// Real Windows layers compress 2–10×; gzip cannot exceed ~1030×, zstd goes far beyond. Default 200.
    /// </summary>
    public long MaxExpansionRatio { get; init; } = 200;

    /// <summary>The uncompressed size below which the ratio is not checked. Default 256 MiB.</summary>
    public long ExpansionRatioFloor { get; init; } = 256L << 20;
}
