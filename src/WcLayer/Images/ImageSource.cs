namespace WcLayer.Images;

/// <summary>Where an image's files are: an OCI layout folder (or an extracted <c>docker save</c>), or an archive tar.</summary>
internal abstract class ImageSource : IDisposable
{
    /// <summary>The folder or archive, for messages.</summary>
    public abstract string Name { get; }

    /// <summary>The length of a file of the image, if it is there.</summary>
    /// <param name="path">A path from <see cref="ImagePath.Normalize"/>.</param>
    /// <param name="length">The length.</param>
    /// <returns>Whether the file exists.</returns>
    public abstract bool TryGetLength(string path, out long length);

    /// <summary>Opens a file of the image as a seekable read-only stream.</summary>
    /// <param name="path">A path from <see cref="ImagePath.Normalize"/>.</param>
    /// <returns>The stream.</returns>
    /// <exception cref="FileNotFoundException">The file is not in the image.</exception>
    public abstract Stream Open(string path);

    /// <summary>Opens a source: a folder, or an archive tar.</summary>
    public static ImageSource Open(string path, CancellationToken cancellationToken) =>
        Directory.Exists(path) ? new LayoutFolderSource(path)
        : File.Exists(path) ? ArchiveSource.Index(path, cancellationToken)
        : throw new FileNotFoundException($"No image at '{path}': neither an OCI layout folder nor an archive.", path);

    /// <summary>Reads a small JSON file of the image (index, manifest, config), bounded in size.</summary>
    public byte[] ReadDocument(string path, string what)
    {
        if (!TryGetLength(path, out long length))
        {
            throw new InvalidDataException($"{what}: '{path}' is not in the image {Name}.");
        }

        if (length > Json.MaxDocumentSize)
        {
            throw new InvalidDataException($"{what}: '{path}' is {length} bytes, more than any image document ({Json.MaxDocumentSize}).");
        }

        using Stream stream = Open(path);
        byte[] bytes = new byte[length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources.</summary>
    /// <param name="disposing">Whether called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }
}
