namespace WcLayer.Win32;

/// <summary>
/// A self-relative Windows security descriptor with a portable codec for its binary form and for SDDL (no Windows
/// API is used, so it works on every OS).
/// </summary>
public sealed partial class SecurityDescriptor
{
    /// <summary>Decodes a self-relative security descriptor.</summary>
    /// <param name="selfRelative">The bytes, as <c>BackupRead</c> and <c>MSWINDOWS.rawsd</c> carry them.</param>
    /// <returns>The descriptor.</returns>
    /// <exception cref="InvalidDataException">The bytes are malformed (the message names the offset).</exception>
    public static SecurityDescriptor Parse(ReadOnlySpan<byte> selfRelative) => throw new NotImplementedException();

    /// <summary>Parses SDDL, as <c>ConvertStringSecurityDescriptorToSecurityDescriptorW</c> does.</summary>
    /// <param name="sddl">The SDDL string, e.g. <c>O:BAG:SYD:(A;;FA;;;BA)</c>.</param>
    /// <returns>The descriptor.</returns>
    /// <exception cref="FormatException">The text is not valid SDDL (the message names the position).</exception>
    public static SecurityDescriptor ParseSddl(string sddl) => throw new NotImplementedException();

    /// <summary>Encodes the self-relative binary form.</summary>
    /// <returns>The bytes.</returns>
    public byte[] ToBinary() => throw new NotImplementedException();

    /// <summary>Formats SDDL as Windows prints it (<c>ConvertSecurityDescriptorToStringSecurityDescriptorW</c> with all sections).</summary>
    /// <returns>The SDDL string.</returns>
    public string ToSddl() => throw new NotImplementedException();
}
