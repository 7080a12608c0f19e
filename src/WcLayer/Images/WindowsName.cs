namespace WcLayer.Images;

/// <summary>Which file names a Windows layer can hold (what <c>CreateFile</c> accepts, and no whiteout markers).</summary>
internal static class WindowsName
{
    private static readonly System.Buffers.SearchValues<char> Invalid = System.Buffers.SearchValues.Create("<>:\"/\\|?*");

    /// <summary>Why <paramref name="name"/> cannot be a Windows file name, or <see langword="null"/> if it can.</summary>
    public static string? Problem(string name)
    {
        if (name is "." or ".." || name.Length == 0)
        {
            return $"'{name}' is not a file name.";
        }

        if (name.AsSpan().IndexOfAny(Invalid) >= 0 || name.Any(char.IsControl))
        {
            return $"'{name}' has a character Windows file names cannot hold (< > : \" / \\ | ? * or a control character).";
        }

        if (name.EndsWith(' ') || name.EndsWith('.'))
        {
            return $"'{name}' ends with a space or a dot, which Windows strips from file names.";
        }

        return name.StartsWith(Oci.OciLayer.WhiteoutPrefix, StringComparison.Ordinal)
            ? $"'{name}' starts with '{Oci.OciLayer.WhiteoutPrefix}', which a layer tar reads as a deletion."
            : null;
    }
}
