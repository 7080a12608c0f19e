using WcLayer.Win32;

namespace WcLayer.Cli;

/// <summary>Converts a binary security descriptor to SDDL for display, where possible.</summary>
internal static class SddlText
{
    /// <summary>Converts <paramref name="selfRelative"/> to SDDL.</summary>
    /// <param name="selfRelative">A self-relative security descriptor.</param>
    /// <returns>The SDDL, or <see langword="null"/> when the descriptor cannot be converted.</returns>
    public static string? TryConvert(byte[] selfRelative)
    {
        try
        {
            return SecurityDescriptor.Parse(selfRelative).ToSddl();
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or FormatException)
        {
            // The raw bytes are printed anyway; SDDL is a convenience that must not fail a listing.
            return null;
        }
    }
}
