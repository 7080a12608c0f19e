using System.Globalization;
using System.Security.Cryptography;

namespace WcLayer.Transport;

/// <summary>
/// Content-addressed files for Windows metadata too large for a file system's extended attributes (ext4 holds about
/// 4 KiB per inode): the attribute then names the blob (<c>sha256:…</c>), so a copy-up or rename in an overlay mount
/// carries the reference, and the blob is found in the layer that wrote it or any layer of its chain.
/// </summary>
/// <param name="folders">The <c>blobs/</c> folders to search, the one written to first.</param>
internal sealed class MetadataBlobStore(IReadOnlyList<string> folders)
{
    /// <summary>The folder's name in a layer.</summary>
    public const string FolderName = "blobs";

    private const string Prefix = "sha256:";

    /// <summary>Stores a blob (once per content) and returns its reference.</summary>
    public string Write(ReadOnlySpan<byte> content)
    {
        string hex = Convert.ToHexStringLower(SHA256.HashData(content));
        string file = Path.Combine(folders[0], hex);
        if (!File.Exists(file))
        {
            string temporary = file + "." + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture)[..8] + ".tmp";
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(content);
            }

            File.Move(temporary, file, overwrite: true);
        }

        return Prefix + hex;
    }

    /// <summary>Reads a blob by reference; <see langword="null"/> if no folder has it.</summary>
    /// <exception cref="InvalidDataException">The reference is malformed or the blob's content does not match it.</exception>
    public byte[]? Read(string reference)
    {
        if (!reference.StartsWith(Prefix, StringComparison.Ordinal) || reference.Length != Prefix.Length + 64 || reference.AsSpan(Prefix.Length).ContainsAnyExcept("0123456789abcdef"))
        {
            throw new InvalidDataException($"malformed metadata blob reference '{reference}'.");
        }

        string hex = reference[Prefix.Length..];
        foreach (string folder in folders)
        {
            string file = Path.Combine(folder, hex);
            if (File.Exists(file))
            {
                byte[] content = File.ReadAllBytes(file);
                return Convert.ToHexStringLower(SHA256.HashData(content)) == hex
                    ? content
                    : throw new InvalidDataException($"{file}: the metadata blob's content does not match its name.");
            }
        }

        return null;
    }
}
