using System.Security.Cryptography;

namespace WcLayer.Images;

/// <summary>
/// A content digest (<c>sha256:&lt;64 hex&gt;</c> or <c>sha512:&lt;128 hex&gt;</c>) as the OCI image spec defines it.
/// </summary>
/// <remarks>
/// Parsing is strict (lower-case hex of the exact length), because a digest names a file under <c>blobs/</c>: a
/// lenient parser would let an <c>index.json</c> or a manifest reach outside the layout.
/// </remarks>
public readonly record struct Digest
{
    private Digest(string algorithm, string encoded)
    {
        Algorithm = algorithm;
        Encoded = encoded;
    }

    /// <summary>The algorithm: <c>sha256</c> or <c>sha512</c>.</summary>
    public string Algorithm { get; }

    /// <summary>The hash in lower-case hexadecimal.</summary>
    public string Encoded { get; }

    /// <summary>The blob's path inside an OCI layout, with <c>/</c> separators: <c>blobs/&lt;algorithm&gt;/&lt;hex&gt;</c>.</summary>
    public string BlobPath => $"blobs/{Algorithm}/{Encoded}";

    /// <summary>Parses a digest.</summary>
    /// <param name="text">The digest text.</param>
    /// <returns>The digest.</returns>
    /// <exception cref="InvalidDataException">The text is not a sha256 or sha512 digest.</exception>
    public static Digest Parse(string? text) =>
        TryParse(text, out Digest digest)
            ? digest
            : throw new InvalidDataException($"'{text}' is not a valid digest (expected sha256:<64 lower-case hex digits> or sha512:<128>).");

    /// <summary>Parses a digest.</summary>
    /// <param name="text">The digest text.</param>
    /// <param name="digest">The digest, when the text is valid.</param>
    /// <returns>Whether the text is a sha256 or sha512 digest.</returns>
    public static bool TryParse(string? text, out Digest digest)
    {
        digest = default;
        int colon = text?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (colon < 0)
        {
            return false;
        }

        string algorithm = text![..colon];
        string encoded = text[(colon + 1)..];
        int length = algorithm switch
        {
            "sha256" => 64,
            "sha512" => 128,
            _ => -1,
        };
        if (encoded.Length != length || !IsLowerHex(encoded))
        {
            return false;
        }

        digest = new Digest(algorithm, encoded);
        return true;
    }

    /// <summary>The sha256 digest of a hash value.</summary>
    /// <param name="hash">32 bytes.</param>
    /// <returns>The digest.</returns>
    public static Digest FromSha256(ReadOnlySpan<byte> hash) => new("sha256", Convert.ToHexStringLower(hash));

    /// <summary>Computes the sha256 digest of some bytes.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The digest.</returns>
    public static Digest ComputeSha256(ReadOnlySpan<byte> data) => FromSha256(SHA256.HashData(data));

    /// <inheritdoc/>
    public override string ToString() => Algorithm is null ? string.Empty : $"{Algorithm}:{Encoded}";

    /// <summary>A hash of this digest's algorithm, to verify content against it.</summary>
    internal IncrementalHash CreateHash() =>
        IncrementalHash.CreateHash(Algorithm == "sha512" ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256);

    /// <summary>The digest of the same algorithm with the given hash value.</summary>
    internal Digest WithHash(ReadOnlySpan<byte> hash) => new(Algorithm, Convert.ToHexStringLower(hash));

    private static bool IsLowerHex(string text)
    {
        foreach (char c in text)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }
}
