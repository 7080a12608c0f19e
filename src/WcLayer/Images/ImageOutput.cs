namespace WcLayer.Images;

/// <summary>Where a committed image goes: blobs are staged, then the image is made to appear at once.</summary>
internal abstract class ImageOutput : IDisposable
{
    /// <summary>Opens a temporary file for the new layer blob.</summary>
    public abstract Stream CreateLayerBlob();

    /// <summary>Keeps the layer blob written to <see cref="CreateLayerBlob"/> under its digest.</summary>
    public abstract void KeepLayerBlob(ImageDescriptor descriptor);

    /// <summary>Writes the image: the base layers' blobs (foreign ones may be absent), the new config and manifest, the index.</summary>
    public abstract Task FinishAsync(OciImage baseImage, IReadOnlyList<ImageDescriptor> layers, byte[] config, ImageDescriptor configDescriptor, byte[] manifest, ImageDescriptor manifestDescriptor, string? tag, CancellationToken cancellationToken);

    public static ImageOutput Create(string path, ImageFormat format) => format switch
    {
        ImageFormat.OciLayout => new OciLayoutOutput(path),
        ImageFormat.DockerArchive or ImageFormat.OciArchive => new ArchiveOutput(path),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>A base layer's blob, checked against its digest as it is copied; <see langword="null"/> for a foreign layer the image lacks.</summary>
    protected static Stream? OpenBaseBlob(OciImage image, ImageDescriptor descriptor)
    {
        ImageLayer layer = image.Layers.First(l => l.Descriptor.Digest == descriptor.Digest);
        if (layer.BlobPath is null)
        {
            return layer.IsForeign
                ? null
                : throw new InvalidDataException($"{layer}: the base image {image.Location} lacks the blob {descriptor.Digest}, and it is not a foreign layer: the new image would be incomplete.");
        }

        return new VerifyingReadStream(image.Source.Open(layer.BlobPath), descriptor.Digest, descriptor.Size, $"{layer}: blob {descriptor.Digest}");
    }
}
