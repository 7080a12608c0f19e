namespace WcLayer.Images;

/// <summary>How <see cref="ImageAppender"/> gives the new entries their security descriptors.</summary>
public sealed class ImageAppendOptions
{
    /// <summary>
    /// Inherit from the destination's folders in the base image, as a <c>COPY</c> on Windows does (folders the base
    /// already has keep their descriptor and times). Reads the base layers, so their blobs must be at hand. Default
    /// <see langword="false"/>: BuildKit's defaults (<see cref="BuildKitSecurity"/>), which need no base blob.
    /// </summary>
    public bool InheritSecurity { get; init; }

    /// <summary>Limits for reading the base layers when inheriting; <see langword="null"/> for the defaults.</summary>
    public ImageReadOptions? ReadOptions { get; init; }
}
