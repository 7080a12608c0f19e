namespace WcLayer.Images;

/// <summary>One layer of an image, base layer first.</summary>
/// <param name="Index">The position in the manifest, 0 for the base layer.</param>
/// <param name="Descriptor">The manifest's descriptor of the (usually compressed) blob.</param>
/// <param name="DiffId">The config's <c>diff_id</c>: the digest of the uncompressed tar, the layer's identity.</param>
public sealed record ImageLayer(int Index, ImageDescriptor Descriptor, Digest DiffId)
{
    /// <summary>Whether the layer is foreign (non-distributable): a Windows base layer an image may legally lack.</summary>
    public bool IsForeign => ImageMediaTypes.IsForeign(Descriptor.MediaType);

    /// <summary>Whether the image carries the layer's blob.</summary>
    public bool HasBlob => BlobPath is not null;

    /// <summary>The blob's path in the image; <see langword="null"/> when absent.</summary>
    internal string? BlobPath { get; init; }

    /// <summary>Whether the blob's digest needs checking on read (not when it is the uncompressed tar, checked by the diff_id).</summary>
    internal bool VerifyBlob { get; init; } = true;

    /// <summary>Names the layer in messages.</summary>
    public override string ToString() => $"layer {Index} ({DiffId})";
}
