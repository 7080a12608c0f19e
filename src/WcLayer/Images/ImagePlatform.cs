using System.Text.Json.Nodes;

namespace WcLayer.Images;

/// <summary>
/// The platform of an image (<c>windows/amd64</c>), with the Windows build it needs (<c>os.version</c>,
/// e.g. <c>10.0.20348.2340</c>): how an index's entries are told apart.
/// </summary>
/// <param name="Os">The operating system: <c>windows</c>, <c>linux</c>.</param>
/// <param name="Architecture">The CPU architecture: <c>amd64</c>, <c>arm64</c>.</param>
/// <param name="OsVersion">The OS version; when selecting, a prefix such as <c>10.0.20348</c> matches every revision of that build.</param>
/// <param name="Variant">The CPU variant (<c>v8</c>), rarely used by Windows images.</param>
public sealed record ImagePlatform(string Os, string Architecture, string? OsVersion = null, string? Variant = null)
{
    /// <summary>The platform of Windows containers on x64 hosts.</summary>
    public static ImagePlatform WindowsAmd64 { get; } = new("windows", "amd64");

    /// <summary>Parses <c>os/arch[/variant]</c>, with an optional <c>:os.version</c> suffix (<c>windows/amd64:10.0.20348</c>).</summary>
    /// <param name="text">The platform text.</param>
    /// <returns>The platform.</returns>
    /// <exception cref="FormatException">The text is not <c>os/arch[/variant][:os.version]</c>.</exception>
    public static ImagePlatform Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string? osVersion = null;
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string platform = text;
        if (colon >= 0)
        {
            osVersion = text[(colon + 1)..];
            platform = text[..colon];
        }

        string[] parts = platform.Split('/');
        if (parts.Length is < 2 or > 3 || Array.Exists(parts, p => p.Length == 0) || osVersion?.Length == 0)
        {
            throw new FormatException($"'{text}' is not a platform: expected os/arch[/variant][:os.version], e.g. windows/amd64 or windows/amd64:10.0.20348.");
        }

        return new ImagePlatform(parts[0], parts[1], osVersion, parts.Length == 3 ? parts[2] : null);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Os}/{Architecture}{(Variant is null ? string.Empty : "/" + Variant)}{(OsVersion is null ? string.Empty : ":" + OsVersion)}";

    /// <summary>Whether a platform read from an image satisfies this one (the requested one).</summary>
    /// <param name="candidate">The image's platform.</param>
    /// <returns><see langword="true"/> when OS, architecture, variant (if asked) and OS version (as a dotted prefix, if asked) match.</returns>
    public bool Accepts(ImagePlatform candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        return string.Equals(Os, candidate.Os, StringComparison.OrdinalIgnoreCase)
            && string.Equals(Architecture, candidate.Architecture, StringComparison.OrdinalIgnoreCase)
            && (Variant is null || string.Equals(Variant, candidate.Variant, StringComparison.OrdinalIgnoreCase))
            && (OsVersion is null || (candidate.OsVersion is { } version
                && (version == OsVersion || version.StartsWith(OsVersion + ".", StringComparison.Ordinal))));
    }

    /// <summary>Reads the <c>platform</c> object of a descriptor or the top-level fields of a config.</summary>
    internal static ImagePlatform? FromJson(JsonObject? json) =>
        json is not null && Json.String(json, "os") is { } os && Json.String(json, "architecture") is { } architecture
            ? new ImagePlatform(os, architecture, Json.String(json, "os.version"), Json.String(json, "variant"))
            : null;
}
