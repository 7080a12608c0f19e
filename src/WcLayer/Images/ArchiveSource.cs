using System.Formats.Tar;

namespace WcLayer.Images;

/// <summary>
/// An image in a tar (<c>docker save</c>, <c>skopeo copy … docker-archive:</c> or <c>oci-archive:</c>): the tar is
/// indexed once (headers only) and each file is then read in place, never extracted.
/// </summary>
internal sealed class ArchiveSource : ImageSource
{
    private readonly string _path;
    private readonly Dictionary<string, (long Offset, long Length)> _files;

    private ArchiveSource(string path, Dictionary<string, (long Offset, long Length)> files)
    {
        _path = path;
        _files = files;
    }

    public override string Name => _path;

    public static ArchiveSource Index(string path, CancellationToken cancellationToken)
    {
        string fullPath = Path.GetFullPath(path);
        var files = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        using var reader = new TarReader(stream, leaveOpen: true);
        try
        {
            // On a seekable archive the reader hands out the data as a window and moves past it (and its padding to
            // the 512-byte block) at once, so the data starts that far before the position.
            while (reader.GetNextEntry(copyData: false) is { } entry)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile)
                {
                    string name = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
                    long padded = (entry.Length + 511) & ~511L;
                    files[name] = (stream.Position - padded, entry.Length);
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or ArgumentException or NotSupportedException)
        {
            throw new InvalidDataException($"{fullPath}: not an image: neither an OCI layout folder nor a valid archive tar ({e.Message})", e);
        }

        return new ArchiveSource(fullPath, files);
    }

    public override bool TryGetLength(string path, out long length)
    {
        bool found = _files.TryGetValue(path, out (long Offset, long Length) file);
        length = file.Length;
        return found;
    }

    public override Stream Open(string path) =>
        _files.TryGetValue(path, out (long Offset, long Length) file)
            ? new BlobSlice(_path, file.Offset, file.Length)
            : throw new FileNotFoundException($"'{path}' is not in the archive {_path}.", path);
}
