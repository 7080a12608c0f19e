namespace WcLayer.Images;

/// <summary>Which image of a layout or archive to open.</summary>
public sealed record ImageSelector
{
    /// <summary>
    /// A tag (<c>ltsc2022</c>, <c>myimage:1.0</c>: an OCI layout's <c>org.opencontainers.image.ref.name</c>, a docker
    /// archive's <c>RepoTags</c>) or a digest (<c>sha256:…</c>: a manifest or index digest; in a docker archive, the
    /// image id). <see langword="null"/>: the only image, or the one that matches <see cref="Platform"/>.
    /// </summary>
    public string? Reference { get; init; }

    /// <summary>The platform to pick from an index; <see langword="null"/>: the only one, else <c>windows/amd64</c> if exactly one matches.</summary>
    public ImagePlatform? Platform { get; init; }

    /// <summary>Parses a reference as given on a command line: a digest, or a tag.</summary>
    /// <param name="reference">The reference, or <see langword="null"/>.</param>
    /// <param name="platform">The platform, or <see langword="null"/>.</param>
    /// <returns>The selector.</returns>
    public static ImageSelector For(string? reference, ImagePlatform? platform = null) =>
        new() { Reference = reference, Platform = platform };

    internal Digest? ReferenceDigest => Digest.TryParse(Reference, out Digest digest) ? digest : null;

    /// <summary>Whether a tag (or a full image name) recorded in an image names the requested one.</summary>
    internal bool MatchesTag(string recorded)
    {
        if (Reference is null)
        {
            return true;
        }

        return recorded == Reference
            || recorded.EndsWith("/" + Reference, StringComparison.Ordinal)
            || recorded.EndsWith(":" + Reference, StringComparison.Ordinal)
            || (!Reference.Contains(':', StringComparison.Ordinal) && recorded.EndsWith("/" + Reference + ":latest", StringComparison.Ordinal))
            || recorded == Reference + ":latest";
    }
}
