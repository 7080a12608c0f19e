namespace WcLayer.Cli;

/// <summary>
/// Formats Win32 file attributes as fixed-position letters (<c>DRHSALPCN</c>, <c>-</c> when clear), followed by
/// <c>+</c> when any other bit is set, so columns line up and the common bits read at a glance.
/// </summary>
internal static class AttributeLetters
{
    /// <summary>The legend shown in the command help.</summary>
    public const string Legend =
        "D directory, R read-only, H hidden, S system, A archive, L reparse point, P sparse, C compressed, " +
        "N not content-indexed; '-' when clear; a trailing '+' means other bits are set (--json has the exact value)";

    private static readonly (FileAttributes Bit, char Letter)[] Positions =
    [
        (FileAttributes.Directory, 'D'),
        (FileAttributes.ReadOnly, 'R'),
        (FileAttributes.Hidden, 'H'),
        (FileAttributes.System, 'S'),
        (FileAttributes.Archive, 'A'),
        (FileAttributes.ReparsePoint, 'L'),
        (FileAttributes.SparseFile, 'P'),
        (FileAttributes.Compressed, 'C'),
        (FileAttributes.NotContentIndexed, 'N'),
    ];

    /// <summary>The width of every formatted value.</summary>
    public static int Width => Positions.Length + 1;

    public static string Format(FileAttributes attributes)
    {
        Span<char> text = stackalloc char[Width];
        FileAttributes shown = FileAttributes.Normal;
        for (int i = 0; i < Positions.Length; i++)
        {
            (FileAttributes bit, char letter) = Positions[i];
            text[i] = (attributes & bit) != 0 ? letter : '-';
            shown |= bit;
        }

        text[^1] = (attributes & ~shown) != 0 ? '+' : ' ';
        return new string(text);
    }
}
