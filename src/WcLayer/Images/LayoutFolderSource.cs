namespace WcLayer.Images;

/// <summary>An image in a folder: an OCI layout, or an extracted <c>docker save</c>. Links inside it are not followed.</summary>
internal sealed class LayoutFolderSource(string root) : ImageSource
{
    private readonly string _root = Path.GetFullPath(root);

    public override string Name => _root;

    public override bool TryGetLength(string path, out long length)
    {
        length = 0;
        FileInfo? file = Resolve(path);
        if (file is null)
        {
            return false;
        }

        length = file.Length;
        return true;
    }

    public override Stream Open(string path)
    {
        FileInfo file = Resolve(path) ?? throw new FileNotFoundException($"'{path}' is not in the image {_root}.", path);
        return new BlobSlice(file.FullName, 0, file.Length);
    }

    /// <summary>The regular file at <paramref name="path"/>; null if absent. A link on the way is refused: it could lead out of the layout.</summary>
    private FileInfo? Resolve(string path)
    {
        string current = _root;
        string[] segments = path.Split('/');
        for (int i = 0; i < segments.Length; i++)
        {
            current = Path.Combine(current, segments[i]);
            FileSystemInfo info = i == segments.Length - 1 ? new FileInfo(current) : new DirectoryInfo(current);
            if (!info.Exists)
            {
                return null;
            }

            if (info.LinkTarget is not null)
            {
                throw new InvalidDataException($"'{path}' in the image {_root} goes through a link ({info.FullName}); links are not followed out of an image.");
            }
        }

        return new FileInfo(current);
    }
}
