using System.Globalization;
using System.Text;

namespace WcLayer.Win32;

/// <summary>The SDDL letters of access rights and Windows' rule for printing a mask with them.</summary>
internal static class AccessRightAliases
{
    /// <summary>Masks Windows prints as one alias when they match exactly. <c>KX</c> equals <c>KR</c>, so it never prints.</summary>
    private static readonly (string Alias, uint Mask)[] Whole =
    [
        ("FA", 0x001f01ff), ("FR", 0x00120089), ("FW", 0x00120116), ("FX", 0x001200a0),
        ("KA", 0x000f003f), ("KR", 0x00020019), ("KW", 0x00020006), ("KX", 0x00020019),
    ];

    /// <summary>Single-bit rights in ascending bit order, the order Windows concatenates them in (e.g. <c>CCLCSWRPWPDTLOCRSDRCWDWO</c>).</summary>
    private static readonly (string Alias, uint Mask)[] Bits =
    [
        ("CC", 0x1), ("DC", 0x2), ("LC", 0x4), ("SW", 0x8), ("RP", 0x10), ("WP", 0x20), ("DT", 0x40), ("LO", 0x80),
        ("CR", 0x100), ("SD", 0x10000), ("RC", 0x20000), ("WD", 0x40000), ("WO", 0x80000),
        ("GA", 0x10000000), ("GX", 0x20000000), ("GW", 0x40000000), ("GR", 0x80000000),
    ];

    /// <summary>The mandatory label policy bits, which replace the object-specific letters in <c>ML</c> ACEs.</summary>
    private static readonly (string Alias, uint Mask)[] LabelBits = [("NW", 0x1), ("NR", 0x2), ("NX", 0x4)];

    /// <summary>Formats a mask as Windows does: a whole alias, else letters if every bit has one, else lowercase hex.</summary>
    public static string Format(uint mask, bool mandatoryLabel)
    {
        if (mask == 0)
        {
            // Windows' letter loop emits nothing for an empty mask, leaving the field empty.
            return string.Empty;
        }

        if (!mandatoryLabel)
        {
            foreach ((string alias, uint whole) in Whole)
            {
                if (mask == whole)
                {
                    return alias;
                }
            }
        }

        var builder = new StringBuilder();
        uint remaining = mask;
        foreach ((string alias, uint bit) in mandatoryLabel ? LabelBits : Bits)
        {
            if ((remaining & bit) != 0)
            {
                builder.Append(alias);
                remaining &= ~bit;
            }
        }

        return remaining == 0 ? builder.ToString() : "0x" + mask.ToString("x", CultureInfo.InvariantCulture);
    }

    /// <summary>Resolves one two-letter right (any case), including the whole and label aliases.</summary>
    public static bool TryResolve(ReadOnlySpan<char> alias, out uint mask)
    {
        foreach ((string name, uint value) in (ReadOnlySpan<(string, uint)>)[.. Whole, .. Bits, .. LabelBits])
        {
            if (alias.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                mask = value;
                return true;
            }
        }

        mask = 0;
        return false;
    }
}
