namespace WcLayer.Images;

/// <summary>How an image is stored.</summary>
public enum ImageFormat
{
    /// <summary>An OCI image layout folder (<c>oci-layout</c>, <c>index.json</c>, <c>blobs/</c>).</summary>
    OciLayout,

    /// <summary>An OCI image layout in a tar (<c>oci-archive:</c>; also what Docker 25+ <c>docker save</c> writes next to its <c>manifest.json</c>).</summary>
    OciArchive,

    /// <summary>A <c>docker save</c> / <c>docker-archive:</c> tar (<c>manifest.json</c>), or such a tar extracted into a folder.</summary>
    DockerArchive,
}
