namespace WcLayer;

/// <summary>
/// The hidden working names kept beside a path, <c>.&lt;name&gt;&lt;marker&gt;&lt;random&gt;</c>: a layer or an
/// output file being written, a layer renamed away for deletion. No reader takes them for what they stand beside;
/// their owner renames them into place or sweeps them.
/// </summary>
internal static class HiddenSibling
{
    /// <summary>Marks something being written (a layer being built, an export's output).</summary>
    public const string TemporaryMarker = ".wclayer-tmp-";

    /// <summary>Marks a layer renamed away for deletion.</summary>
    public const string TrashMarker = ".wclayer-trash-";

    /// <summary>A new hidden name for <paramref name="name"/> with <paramref name="marker"/>.</summary>
    public static string Name(string name, string marker) => "." + name + marker + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A new hidden path beside <paramref name="fullPath"/> with <paramref name="marker"/>.</summary>
    public static string Beside(string fullPath, string marker) =>
        Path.Combine(Path.GetDirectoryName(fullPath) ?? ".", Name(Path.GetFileName(fullPath), marker));

    /// <summary>Whether a name is one of these hidden working names.</summary>
    public static bool IsHidden(string name) =>
        OwnerOf(name, TemporaryMarker) is not null || OwnerOf(name, TrashMarker) is not null;

    /// <summary>The name a hidden name stands beside, for <paramref name="marker"/>; <see langword="null"/> if it is not one.</summary>
    public static string? OwnerOf(string entryName, string marker)
    {
        int at = entryName.LastIndexOf(marker, StringComparison.Ordinal);
        return at > 1 && entryName[0] == '.' ? entryName[1..at] : null;
    }
}
