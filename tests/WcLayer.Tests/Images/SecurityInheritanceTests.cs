using WcLayer.Images;
using WcLayer.Win32;

namespace WcLayer.Tests.Images;

/// <summary>Windows' inheritance rules for a new file or folder, on BuildKit's folder descriptor and on edge cases.</summary>
public sealed class SecurityInheritanceTests
{
    private const string BuildKitFolder = "O:BAG:SYD:(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)(A;;FA;;;BA)(A;OICIIO;GA;;;CO)(A;OICI;0x1200a9;;;BU)(A;CI;LC;;;BU)(A;CI;DC;;;BU)";

    private static readonly Sid Administrators = Sid.Parse("S-1-5-32-544");
    private static readonly Sid System = Sid.Parse("S-1-5-18");

    [Theory]
    // A file gets the object-inheritable entries, effective: CREATOR OWNER becomes the owner, GENERIC_ALL becomes FILE_ALL_ACCESS.
    [InlineData(BuildKitFolder, false, "O:BAG:SYD:(A;ID;FA;;;BA)(A;ID;FA;;;SY)(A;ID;FA;;;BA)(A;ID;0x1200a9;;;BU)")]
    // A folder keeps the propagation flags, and splits the creator/generic entry into its meaning here and its form for the children.
    [InlineData(BuildKitFolder, true, "O:BAG:SYD:(A;OICIID;FA;;;BA)(A;OICIID;FA;;;SY)(A;ID;FA;;;BA)(A;OICIIOID;GA;;;CO)(A;OICIID;0x1200a9;;;BU)(A;CIID;LC;;;BU)(A;CIID;DC;;;BU)")]
    // Object-inherit only: inherit-only on a folder (for its files); no-propagate: effective once, then gone.
    [InlineData("O:BAG:SYD:(A;OI;FR;;;WD)(A;CINP;FA;;;AU)(A;OINP;FW;;;BU)", true, "O:BAG:SYD:(A;OIIOID;FR;;;WD)(A;ID;FA;;;AU)")]
    [InlineData("O:BAG:SYD:(A;OI;FR;;;WD)(A;CINP;FA;;;AU)(A;OINP;FW;;;BU)", false, "O:BAG:SYD:(A;ID;FR;;;WD)(A;ID;FW;;;BU)")]
    // Auto-inherited and protected parents: the child is auto-inherited, never protected; explicit-only entries are not inherited.
    [InlineData("O:BAG:SYD:PAI(A;OICI;GR;;;BU)(A;;FA;;;WD)", false, "O:BAG:SYD:AI(A;ID;FR;;;BU)")]
    public void TheChildGetsWhatWindowsGivesIt(string parent, bool isFolder, string expected)
    {
        SecurityDescriptor child = SecurityInheritance.Inherit(SecurityDescriptor.ParseSddl(parent), isFolder, Administrators, System);

        Assert.Equal(SecurityDescriptor.ParseSddl(expected).ToSddl(), child.ToSddl());
        Assert.Equal(SecurityDescriptor.ParseSddl(expected).ToBinary(), child.ToBinary());
    }
}
