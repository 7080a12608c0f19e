namespace WcLayer.Images;

/// <summary>The media types of OCI and Docker images that this library reads and writes.</summary>
public static class ImageMediaTypes
{
    /// <summary>An OCI image index.</summary>
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";

    /// <summary>An OCI image manifest.</summary>
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";

    /// <summary>An OCI image config.</summary>
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";

    /// <summary>An uncompressed OCI layer.</summary>
    public const string OciLayer = "application/vnd.oci.image.layer.v1.tar";

    /// <summary>A gzip-compressed OCI layer.</summary>
    public const string OciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";

    /// <summary>A zstd-compressed OCI layer.</summary>
    public const string OciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";

    /// <summary>An OCI non-distributable (foreign) layer, uncompressed (deprecated by the spec, still written for Windows base images).</summary>
    public const string OciForeignLayer = "application/vnd.oci.image.layer.nondistributable.v1.tar";

    /// <summary>An OCI non-distributable (foreign) layer, gzip-compressed.</summary>
    public const string OciForeignLayerGzip = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";

    /// <summary>An OCI non-distributable (foreign) layer, zstd-compressed.</summary>
    public const string OciForeignLayerZstd = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";

    /// <summary>A Docker manifest list.</summary>
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";

    /// <summary>A Docker image manifest (schema 2).</summary>
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

    /// <summary>A Docker image config.</summary>
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";

    /// <summary>A gzip-compressed Docker layer.</summary>
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    /// <summary>An uncompressed Docker layer (as <c>docker save</c> stores them).</summary>
    public const string DockerLayer = "application/vnd.docker.image.rootfs.diff.tar";

    /// <summary>A Docker foreign layer: Windows base layers, served from the URLs in the descriptor rather than the registry.</summary>
    public const string DockerForeignLayerGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

    /// <summary>Whether the media type is an index (OCI image index or Docker manifest list).</summary>
    /// <param name="mediaType">The media type.</param>
    /// <returns><see langword="true"/> for an index.</returns>
    public static bool IsIndex(string? mediaType) => mediaType is OciIndex or DockerManifestList;

    /// <summary>Whether the media type is an image manifest (OCI or Docker schema 2).</summary>
    /// <param name="mediaType">The media type.</param>
    /// <returns><see langword="true"/> for a manifest.</returns>
    public static bool IsManifest(string? mediaType) => mediaType is OciManifest or DockerManifest;

    /// <summary>Whether the media type is a layer this library can read (OCI or Docker, plain, gzip or zstd, foreign or not).</summary>
    /// <param name="mediaType">The media type.</param>
    /// <returns><see langword="true"/> for a layer.</returns>
    public static bool IsLayer(string? mediaType) => mediaType is OciLayer or OciLayerGzip or OciLayerZstd
        or OciForeignLayer or OciForeignLayerGzip or OciForeignLayerZstd
        or DockerLayer or DockerLayerGzip or DockerForeignLayerGzip;

    /// <summary>Whether the media type is a foreign (non-distributable) layer, whose blob an image need not carry.</summary>
    /// <param name="mediaType">The media type.</param>
    /// <returns><see langword="true"/> for a foreign layer.</returns>
    public static bool IsForeign(string? mediaType) => mediaType is OciForeignLayer or OciForeignLayerGzip or OciForeignLayerZstd or DockerForeignLayerGzip;

    /// <summary>The OCI media type for a layer of any supported media type (what an OCI manifest written by this library uses).</summary>
    /// <param name="mediaType">A layer media type.</param>
    /// <returns>The OCI equivalent.</returns>
    public static string ToOciLayer(string mediaType) => mediaType switch
    {
        DockerLayer => OciLayer,
        DockerLayerGzip => OciLayerGzip,
        DockerForeignLayerGzip => OciForeignLayerGzip,
        _ => mediaType,
    };
}
