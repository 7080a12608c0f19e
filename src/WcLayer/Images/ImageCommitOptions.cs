namespace WcLayer.Images;

/// <summary>How <see cref="ImageCommitter"/> writes the new image.</summary>
public sealed class ImageCommitOptions
{
    /// <summary>The new layer's compression. Default gzip, which every client reads.</summary>
    public LayerCompression Compression { get; init; } = LayerCompression.Gzip;

    /// <summary>The output: an OCI layout folder (default; an existing layout gains the image) or a docker archive tar.</summary>
    public ImageFormat OutputFormat { get; init; } = ImageFormat.OciLayout;

    /// <summary>The new image's tag (<c>org.opencontainers.image.ref.name</c>; a docker archive's <c>RepoTags</c>). An entry of an existing layout with the same tag is replaced.</summary>
    public string? Tag { get; init; }

    /// <summary>The history entry's <c>created_by</c> (what made the layer, e.g. <c>wclayer image append C:\app</c>).</summary>
    public string? CreatedBy { get; init; }

    /// <summary>The history entry's <c>comment</c>.</summary>
    public string? Comment { get; init; }

    /// <summary>The creation time of the layer and image; default now. Fix it for reproducible images.</summary>
    public DateTimeOffset? Created { get; init; }
}
