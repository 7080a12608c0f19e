using WcLayer.Win32;

namespace WcLayer.Tests.Win32;

public class SddlTests
{
    [Theory]
    [InlineData("S:(AU;SAFA;FA;;;WD)")]
    [InlineData("O:SYG:SYS:(ML;;NW;;;HI)")]
    [InlineData("S:(ML;;NWNRNX;;;LW)")]
    [InlineData("D:PAI(A;OICIID;FA;;;SY)(A;OICIIOID;GA;;;CO)")]
    [InlineData("D:PARAI(D;NP;WDWO;;;AN)")]
    [InlineData("D:P")]
    [InlineData("D:NO_ACCESS_CONTROL")]
    [InlineData("D:PNO_ACCESS_CONTROLS:AINO_ACCESS_CONTROL")]
    [InlineData("O:S-1-5-21-1004336348-1177238915-682003330-500G:S-1-5-21-1004336348-1177238915-682003330-513D:(A;;FA;;;S-1-5-21-1004336348-1177238915-682003330-512)")]
    [InlineData("D:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;BA)(A;;CCLCSWRPWPDTLOCRRC;;;SY)")]
    [InlineData("D:(A;;GXGR;;;AU)(A;;GA;;;IS)(A;;FR;;;AC)(A;;KA;;;RC)(A;;KR;;;WR)(A;;KW;;;OW)(A;;FW;;;ED)(A;;FX;;;PS)")]
    [InlineData("D:(A;;0x1200a9;;;BU)(A;;0x100000;;;WD)(A;;;;;WD)")]
    [InlineData("D:(OA;CI;RPWP;bf967a7f-0de6-11d0-a285-00aa003049e2;4828cc14-1437-45bc-9b07-ad6f015e5f28;PS)(OD;;CR;00299570-246d-11d0-a768-00aa006e0529;;WD)(OA;;RP;;bf967aba-0de6-11d0-a285-00aa003049e2;RU)")]
    [InlineData("S:(OU;CIIDSA;WP;f30e3bbe-9ff0-11d1-b603-0000f80367c1;bf967aa5-0de6-11d0-a285-00aa003049e2;WD)")]
    [InlineData("O:ANG:AOD:(A;;FA;;;AU)(A;;FA;;;BG)(A;;FA;;;BO)(A;;FA;;;CG)(A;;FA;;;CY)(A;;FA;;;ER)(A;;FA;;;IU)(A;;FA;;;LS)(A;;FA;;;LU)(A;;FA;;;NO)(A;;FA;;;NS)(A;;FA;;;NU)(A;;FA;;;PO)(A;;FA;;;PU)(A;;FA;;;RD)(A;;FA;;;RE)(A;;FA;;;RU)(A;;FA;;;SO)(A;;FA;;;SU)(A;;FA;;;ME)(A;;FA;;;MP)(A;;FA;;;SI)")]
    public void SddlRoundTripsThroughBinary(string sddl)
    {
        var sd = SecurityDescriptor.ParseSddl(sddl);
        Assert.Equal(sddl, sd.ToSddl());
        byte[] bytes = sd.ToBinary();
        var parsed = SecurityDescriptor.Parse(bytes);
        Assert.Equal(sddl, parsed.ToSddl());
        Assert.Equal(bytes, parsed.ToBinary());
    }

    [Fact]
    public void SaclIsEncodedWithAuditFlags()
    {
        var sd = SecurityDescriptor.ParseSddl("S:(AU;SAFA;FA;;;WD)");
        Assert.Equal(SecurityDescriptorControl.SelfRelative | SecurityDescriptorControl.SaclPresent, sd.Control);
        AccessControlEntry ace = Assert.Single(sd.Sacl!.Entries);
        Assert.Equal(AceType.SystemAudit, ace.Type);
        Assert.Equal(AceFlags.SuccessfulAccess | AceFlags.FailedAccess, ace.Flags);
        Assert.Equal("0100108000000000000000001400000000000000" + "02001c0001000000" + "02c01400ff011f00010100000000000100000000",
            Convert.ToHexStringLower(sd.ToBinary()));
    }

    [Fact]
    public void SaclGoesBetweenGroupAndDacl()
    {
        byte[] bytes = SecurityDescriptor.ParseSddl("O:BAG:SYD:(A;;FA;;;BA)S:(ML;;NW;;;HI)").ToBinary();
        Assert.Equal(0x14, BitConverter.ToInt32(bytes, 4));
        Assert.Equal(0x24, BitConverter.ToInt32(bytes, 8));
        Assert.Equal(0x30, BitConverter.ToInt32(bytes, 12));
        Assert.Equal(0x30 + 8 + 20, BitConverter.ToInt32(bytes, 16));
    }

    [Fact]
    public void MandatoryLabelUsesLabelRights()
    {
        var sd = SecurityDescriptor.ParseSddl("S:(ML;;NW;;;HI)");
        AccessControlEntry ace = Assert.Single(sd.Sacl!.Entries);
        Assert.Equal(AceType.SystemMandatoryLabel, ace.Type);
        Assert.Equal(1u, ace.AccessMask);
        Assert.Equal("S-1-16-12288", ace.Sid!.ToString());
    }

    [Fact]
    public void ProtectedAutoInheritedFlagsSetTheControlWord()
    {
        var sd = SecurityDescriptor.ParseSddl("D:PAI(A;;FA;;;SY)");
        Assert.Equal(SecurityDescriptorControl.SelfRelative | SecurityDescriptorControl.DaclPresent
            | SecurityDescriptorControl.DaclProtected | SecurityDescriptorControl.DaclAutoInherited, sd.Control);
        Assert.Equal(0x9404, BitConverter.ToUInt16(sd.ToBinary(), 2));
    }

    [Fact]
    public void ObjectAceGuidsRoundTripAndRaiseTheAclRevision()
    {
        const string Sddl = "D:(OA;;CR;ab721a53-1e2f-11d0-9819-00aa0040529b;bf967aba-0de6-11d0-a285-00aa003049e2;S-1-5-21-1-2-3-1104)";
        var sd = SecurityDescriptor.ParseSddl(Sddl);
        Assert.Equal(AccessControlList.RevisionDirectoryService, sd.Dacl!.Revision);
        AccessControlEntry ace = sd.Dacl.Entries[0];
        Assert.Equal(new Guid("ab721a53-1e2f-11d0-9819-00aa0040529b"), ace.ObjectType);
        Assert.Equal(new Guid("bf967aba-0de6-11d0-a285-00aa003049e2"), ace.InheritedObjectType);
        Assert.Equal(8 + 4 + 32 + 28, ace.BinaryLength);
        byte[] bytes = sd.ToBinary();
        // The GUID is stored in Windows' mixed-endian GUID layout.
        Assert.Equal("531a72ab2f1ed011981900aa0040529b", Convert.ToHexStringLower(bytes, 20 + 8 + 12, 16));
        Assert.Equal(Sddl, SecurityDescriptor.Parse(bytes).ToSddl());
    }

    [Theory]
    [InlineData("o:bag:syd:pai(a;oici;fa;;;ba)(a;;0X1F01FF;;;s-1-5-18)", "O:BAG:SYD:PAI(A;OICI;FA;;;BA)(A;;FA;;;SY)")]
    [InlineData("D:(A;;RPWPCCDCLCSWRCWDWO;;;SY)", "D:(A;;CCDCLCSWRPWPRCWDWO;;;SY)")]
    [InlineData("D:(A;;2032127;;;SY)", "D:(A;;FA;;;SY)")]
    [InlineData("D:(A;;KX;;;SY)", "D:(A;;KR;;;SY)")]
    [InlineData("D:(A;;GAGRGWGX;;;SY)", "D:(A;;GAGXGWGR;;;SY)")]
    [InlineData("S:(ML;;0x1;;;LW)", "S:(ML;;NW;;;LW)")]
    [InlineData("S:(ML;;0x11;;;LW)", "S:(ML;;0x11;;;LW)")]
    [InlineData("D:(A;;FA;;;S-1-5-32-544)", "D:(A;;FA;;;BA)")]
    [InlineData("O:S-1-0x000100000000-5", "O:S-1-0x000100000000-5")]
    [InlineData("G:SYO:BA", "O:BAG:SY")]
    [InlineData("S:(AU;FASA;FA;;;WD)D:(A;;FA;;;WD)", "D:(A;;FA;;;WD)S:(AU;SAFA;FA;;;WD)")]
    [InlineData("", "")]
    public void SddlIsNormalizedAsWindowsPrintsIt(string input, string expected) =>
        Assert.Equal(expected, SecurityDescriptor.ParseSddl(input).ToSddl());

    [Theory]
    [InlineData("X:BA", 0)]
    [InlineData("O:", 2)]
    [InlineData("O:B", 2)]
    [InlineData("O:ZZ", 2)]
    [InlineData("O:DA", 2)]
    [InlineData("O:BAO:BA", 4)]
    [InlineData("O:BA junk", 4)]
    [InlineData("D:Q", 2)]
    [InlineData("D:(A;;FA;;;BA", 2)]
    [InlineData("D:(Q;;FA;;;BA)", 3)]
    [InlineData("D:(XA;;FA;;;WD;(Member_of {SID(BA)}))", 3)]
    [InlineData("D:(A;;FA;;;WD;x)", 13)]
    [InlineData("D:(A;;FA;;BA)", 12)]
    [InlineData("D:(A;O;FA;;;BA)", 5)]
    [InlineData("D:(A;XX;FA;;;BA)", 5)]
    [InlineData("D:(A;;QQ;;;BA)", 6)]
    [InlineData("D:(A;;FAx;;;BA)", 8)]
    [InlineData("D:(A;;0xfffffffff;;;BA)", 6)]
    [InlineData("D:(A;;FA;ab721a53-1e2f-11d0-9819-00aa0040529b;;BA)", 9)]
    [InlineData("D:(OA;;FA;not-a-guid;;BA)", 10)]
    [InlineData("D:(A;;FA;;;BAX)", 13)]
    [InlineData("D:(A;;FA;;;S-2-5)", 13)]
    [InlineData("D:NO_ACCESS_CONTROL(A;;FA;;;BA)", 19)]
    public void InvalidSddlIsAFormatErrorNamingThePosition(string sddl, int position)
    {
        var e = Assert.Throws<FormatException>(() => SecurityDescriptor.ParseSddl(sddl));
        Assert.Contains($"position {position}:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DomainRelativeSidsArePrintedNumerically()
    {
        var sd = SecurityDescriptor.ParseSddl("O:S-1-5-21-1-2-3-512");
        Assert.Equal("O:S-1-5-21-1-2-3-512", sd.ToSddl());
    }
}
