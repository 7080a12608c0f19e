using CsCheck;
using WcLayer.Win32;

namespace WcLayer.Tests.Win32;

public class SecurityDescriptorPropertyTests
{
    private static readonly Gen<Sid> GenSid = Gen.Frequency(
        (3, Gen.OneOf("S-1-5-32-544", "S-1-5-18", "S-1-1-0", "S-1-3-0", "S-1-16-12288", "S-1-15-2-1").Select(Sid.Parse)),
        (2, Gen.Select(Gen.Long[0, Sid.MaxIdentifierAuthority], Gen.UInt.Array[0, Sid.MaxSubAuthorities],
            (authority, subs) => new Sid(authority, subs))),
        (1, Gen.UInt.Array[4, 4].Select(subs => new Sid(5, [21, .. subs]))));

    private static readonly Gen<Guid?> GenGuid = Gen.Frequency(
        (1, Gen.Const((Guid?)null)), (1, Gen.Guid.Select(g => (Guid?)g)));

    private static readonly Gen<uint> GenMask = Gen.Frequency(
        (2, Gen.OneOf(0x1f01ffu, 0x1200a9u, 0x10000000u, 0x120089u, 0x20019u, 0x4u, 0x30000u, 0u)),
        (1, Gen.UInt));

    /// <summary>ACEs whose SDDL form exists (so the SDDL round trip is exact too).</summary>
    private static readonly Gen<AccessControlEntry> GenSddlAce = Gen.Select(
        Gen.OneOf(AceType.AccessAllowed, AceType.AccessDenied, AceType.SystemAudit, AceType.SystemAlarm,
            AceType.SystemMandatoryLabel, AceType.AccessAllowedObject, AceType.AccessDeniedObject, AceType.SystemAuditObject,
            AceType.SystemAlarmObject),
        Gen.Byte, GenMask, GenSid, GenGuid, GenGuid,
        (type, flags, mask, sid, objectType, inheritedType) => AccessControlEntry.IsObjectType(type)
            ? new AccessControlEntry(type, (AceFlags)flags, mask, sid, objectType, inheritedType)
            : new AccessControlEntry(type, (AceFlags)flags, mask, sid));

    /// <summary>ACEs that only the binary form carries: raw types, padding, callback data.</summary>
    private static readonly Gen<AccessControlEntry> GenBinaryAce = Gen.Frequency(
        (3, GenSddlAce),
        (1, Gen.Select(Gen.Byte[0x12, 0xff], Gen.Byte, Gen.Byte.Array[0, 40],
            (type, flags, body) => AccessControlEntry.CreateRaw((AceType)type, (AceFlags)flags, body))),
        (1, Gen.Select(Gen.OneOf(AceType.AccessAllowed, AceType.AccessAllowedCallback, AceType.AccessDeniedCallbackObject),
            Gen.UInt, GenSid, Gen.Byte.Array[0, 12], GenGuid,
            (type, mask, sid, trailing, guid) => new AccessControlEntry(type, AceFlags.None, mask, sid,
                AccessControlEntry.IsObjectType(type) ? guid : null, null, trailing))));

    private static Gen<AccessControlList?> GenAcl(Gen<AccessControlEntry> aces, bool withSlack) => Gen.Frequency(
        (1, Gen.Const((AccessControlList?)null)),
        (4, Gen.Select(aces.Array[0, 6], withSlack ? Gen.Byte.Array[0, 3] : Gen.Const(Array.Empty<byte>()), Gen.Byte[2, 4],
            (entries, slack, revision) => (AccessControlList?)(withSlack
                ? new AccessControlList(revision, entries, slack)
                : new AccessControlList(entries)))));

    private const SecurityDescriptorControl DaclBits = SecurityDescriptorControl.DaclProtected
        | SecurityDescriptorControl.DaclAutoInherited | SecurityDescriptorControl.DaclAutoInheritRequired;

    private const SecurityDescriptorControl SaclBits = SecurityDescriptorControl.SaclProtected
        | SecurityDescriptorControl.SaclAutoInherited | SecurityDescriptorControl.SaclAutoInheritRequired;

    private static Gen<SecurityDescriptor> GenDescriptor(Gen<AccessControlEntry> aces, bool binaryOnly) => Gen.Select(
        binaryOnly ? Gen.UShort.Select(c => (SecurityDescriptorControl)c) : Gen.UShort.Select(c => (SecurityDescriptorControl)c & (DaclBits | SaclBits)),
        GenSid.Array[0, 1], GenSid.Array[0, 1], GenAcl(aces, binaryOnly), GenAcl(aces, binaryOnly), Gen.Bool, Gen.Bool,
        (control, owner, group, sacl, dacl, nullSacl, nullDacl) =>
        {
            control &= ~(SecurityDescriptorControl.DaclPresent | SecurityDescriptorControl.SaclPresent);
            // With the present flag and no ACL the descriptor has a null ACL; without it, none.
            control |= (nullDacl ? SecurityDescriptorControl.DaclPresent : 0) | (nullSacl ? SecurityDescriptorControl.SaclPresent : 0);
            if (!binaryOnly)
            {
                // SDDL spells the ACL flags inside the D: and S: sections, so they exist only with their ACL.
                control &= ~(dacl is null && !nullDacl ? DaclBits : 0) & ~(sacl is null && !nullSacl ? SaclBits : 0);
            }

            return new SecurityDescriptor(control, owner.FirstOrDefault(), group.FirstOrDefault(), sacl, dacl);
        });

    [Fact]
    public void BinaryRoundTripIsIdentity() =>
        GenDescriptor(GenBinaryAce, binaryOnly: true).Sample(sd =>
        {
            byte[] bytes = sd.ToBinary();
            Assert.Equal(bytes, SecurityDescriptor.Parse(bytes).ToBinary());
        }, iter: 400);

    [Fact]
    public void SddlRoundTripPreservesTheBytes() =>
        GenDescriptor(GenSddlAce, binaryOnly: false).Sample(sd =>
        {
            byte[] bytes = sd.ToBinary();
            string sddl = SecurityDescriptor.Parse(bytes).ToSddl();
            Assert.Equal(bytes, SecurityDescriptor.ParseSddl(sddl).ToBinary());
            Assert.Equal(sddl, SecurityDescriptor.ParseSddl(sddl.ToLowerInvariant()).ToSddl());
        }, iter: 400);

    [Fact]
    public void RandomBytesAreParsedOrRejectedAsInvalidData() =>
        Gen.Byte.Array[0, 120].Sample(bytes => ParseOrInvalidData(bytes), iter: 600);

    [Fact]
    public void MutatedDescriptorsAreParsedOrRejectedAsInvalidData() =>
        Gen.Select(GenDescriptor(GenBinaryAce, binaryOnly: true), Gen.Int[0, 1000], Gen.Int[0, 7], Gen.Int[0, 3], Gen.Byte,
            (sd, where, bit, mode, value) => (sd.ToBinary(), where, bit, mode, value))
        .Sample(t =>
        {
            (byte[] bytes, int where, int bit, int mode, byte value) = t;
            int at = where % Math.Max(1, bytes.Length);
            byte[] mutated = mode switch
            {
                0 => bytes[..at],
                1 when bytes.Length > 0 => Flip(bytes, at, bit),
                2 when bytes.Length > 0 => Set(bytes, at, value),
                _ => [.. bytes, value],
            };
            ParseOrInvalidData(mutated);
        }, iter: 600);

    [Fact]
    public void RandomTextIsParsedOrRejectedAsFormatError()
    {
        var tokens = Gen.OneOf("O:", "G:", "D:", "S:", "(", ")", ";", "A", "OA", "ML", "AU", "BA", "SY", "S-1-5-", "0x",
            "1", "FA", "OI", "CI", "P", "AI", "NO_ACCESS_CONTROL", "ab721a53-1e2f-11d0-9819-00aa0040529b", "-", "x", " ");
        Gen.Frequency((1, Gen.String), (3, tokens.Array[0, 16].Select(parts => string.Concat(parts)))).Sample(text =>
        {
            try
            {
                var sd = SecurityDescriptor.ParseSddl(text);
                Assert.Equal(sd.ToBinary(), SecurityDescriptor.ParseSddl(sd.ToSddl()).ToBinary());
            }
            catch (FormatException)
            {
            }
        }, iter: 800);
    }

    private static void ParseOrInvalidData(byte[] bytes)
    {
        try
        {
            var sd = SecurityDescriptor.Parse(bytes);
            _ = sd.ToBinary();
            try
            {
                _ = sd.ToSddl();
            }
            catch (NotSupportedException)
            {
            }
        }
        catch (InvalidDataException)
        {
        }
    }

    private static byte[] Flip(byte[] bytes, int at, int bit)
    {
        byte[] copy = [.. bytes];
        copy[at] ^= (byte)(1 << bit);
        return copy;
    }

    private static byte[] Set(byte[] bytes, int at, byte value)
    {
        byte[] copy = [.. bytes];
        copy[at] = value;
        return copy;
    }
}
