namespace WcLayer.Images;

/// <summary>The image <see cref="ImageCommitter"/> wrote.</summary>
/// <param name="Output">The layout folder or archive written.</param>
/// <param name="Manifest">The new manifest's descriptor.</param>
/// <param name="Config">The new config's descriptor.</param>
/// <param name="Layer">The new layer's blob descriptor.</param>
/// <param name="DiffId">The new layer's <c>diff_id</c>.</param>
public sealed record CommittedImage(string Output, ImageDescriptor Manifest, ImageDescriptor Config, ImageDescriptor Layer, Digest DiffId);
