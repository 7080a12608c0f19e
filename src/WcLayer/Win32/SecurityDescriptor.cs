using System.Buffers.Binary;
using System.ComponentModel;

namespace WcLayer.Win32;

/// <summary>
/// A self-relative Windows security descriptor with a portable codec for its binary form and for SDDL (no Windows
/// API is used, so it works on every OS).
/// </summary>
public sealed partial class SecurityDescriptor
{
    /// <summary>The size of the self-relative header (<c>SECURITY_DESCRIPTOR_RELATIVE</c>).</summary>
    public const int HeaderSize = 20;

    /// <summary>The only security descriptor revision Windows defines.</summary>
    public const byte Revision = 1;

    /// <summary>
    /// Where components go in a descriptor that was not parsed from bytes. Windows' SDDL parser puts the owner at 0x14
    /// and the group right after it, then the DACL (the vectors of buildkit and go-containerregistry show that). None
    /// of our vectors has a SACL; we put it before the DACL, matching the field order of the header and
    /// <c>RawSecurityDescriptor.GetBinaryForm</c>. That position is a choice, not a verified Windows fact.
    /// </summary>
    private static readonly Component[] DefaultLayout = [Component.Owner, Component.Group, Component.Sacl, Component.Dacl];

    private readonly Component[] _layout;

    /// <summary>Creates a descriptor. <see cref="SecurityDescriptorControl.SelfRelative"/> is always set, and the
    /// present flag of each ACL that is given; set <see cref="SecurityDescriptorControl.DaclPresent"/> with a null
    /// <paramref name="dacl"/> for a null DACL (no access control).</summary>
    /// <param name="control">The control flags.</param>
    /// <param name="owner">The owner, or null.</param>
    /// <param name="group">The primary group, or null.</param>
    /// <param name="sacl">The system ACL, or null.</param>
    /// <param name="dacl">The discretionary ACL, or null.</param>
    public SecurityDescriptor(SecurityDescriptorControl control, Sid? owner, Sid? group, AccessControlList? sacl,
        AccessControlList? dacl)
        : this(control | SecurityDescriptorControl.SelfRelative
            | (dacl is null ? 0 : SecurityDescriptorControl.DaclPresent)
            | (sacl is null ? 0 : SecurityDescriptorControl.SaclPresent), 0, owner, group, sacl, dacl, DefaultLayout)
    {
    }

    private SecurityDescriptor(SecurityDescriptorControl control, byte resourceManagerControl, Sid? owner, Sid? group,
        AccessControlList? sacl, AccessControlList? dacl, Component[] layout)
    {
        Control = control;
        ResourceManagerControl = resourceManagerControl;
        Owner = owner;
        Group = group;
        Sacl = sacl;
        Dacl = dacl;
        _layout = layout;
    }

    private enum Component
    {
        Owner,
        Group,
        Sacl,
        Dacl,
    }

    /// <summary>Gets the control flags, exactly as encoded.</summary>
    public SecurityDescriptorControl Control { get; }

    /// <summary>Gets the resource manager control byte (the header's <c>Sbz1</c>).</summary>
    public byte ResourceManagerControl { get; }

    /// <summary>Gets the owner, or null if there is none.</summary>
    public Sid? Owner { get; }

    /// <summary>Gets the primary group, or null if there is none.</summary>
    public Sid? Group { get; }

    /// <summary>Gets the discretionary ACL; null either when absent or when it is a null DACL (see <see cref="Control"/>).</summary>
    public AccessControlList? Dacl { get; }

    /// <summary>Gets the system ACL; null either when absent or when it is a null SACL (see <see cref="Control"/>).</summary>
    public AccessControlList? Sacl { get; }

    /// <summary>Gets the size of the binary form.</summary>
    public int BinaryLength =>
        HeaderSize + (Owner?.BinaryLength ?? 0) + (Group?.BinaryLength ?? 0) + (Sacl?.BinaryLength ?? 0) + (Dacl?.BinaryLength ?? 0);

    /// <summary>Decodes a self-relative security descriptor.</summary>
    /// <param name="selfRelative">The bytes, as <c>BackupRead</c> and <c>MSWINDOWS.rawsd</c> carry them.</param>
    /// <returns>The descriptor.</returns>
    /// <exception cref="InvalidDataException">The bytes are malformed (the message names the offset).</exception>
    public static SecurityDescriptor FromBinary(ReadOnlySpan<byte> selfRelative)
    {
        if (selfRelative.Length < HeaderSize)
        {
            throw new InvalidDataException(
                $"The security descriptor is truncated at offset {selfRelative.Length}: its header needs {HeaderSize} bytes.");
        }

        if (selfRelative[0] != Revision)
        {
            throw new InvalidDataException($"The security descriptor at offset 0 has revision {selfRelative[0]}, not {Revision}.");
        }

        var control = (SecurityDescriptorControl)BinaryPrimitives.ReadUInt16LittleEndian(selfRelative[2..]);
        if ((control & SecurityDescriptorControl.SelfRelative) == 0)
        {
            throw new InvalidDataException(
                "The security descriptor's control word at offset 2 lacks SE_SELF_RELATIVE; absolute descriptors hold pointers, not offsets.");
        }

        // Header fields in header order; a zero offset means the component is absent.
        Span<int> offsets = stackalloc int[4];
        ReadOnlySpan<(Component Component, int Field)> fields =
            [(Component.Owner, 4), (Component.Group, 8), (Component.Sacl, 12), (Component.Dacl, 16)];
        var present = new List<(int Offset, Component Component)>(4);
        foreach ((Component component, int field) in fields)
        {
            uint offset = BinaryPrimitives.ReadUInt32LittleEndian(selfRelative[field..]);
            if (offset != 0 && (offset < HeaderSize || offset >= (uint)selfRelative.Length))
            {
                throw new InvalidDataException(
                    $"The {component} offset at offset {field} is {offset}, outside the {selfRelative.Length}-byte descriptor's body.");
            }

            offsets[(int)component] = (int)offset;
            if (offset != 0)
            {
                present.Add(((int)offset, component));
            }
        }

        Sid? owner = offsets[(int)Component.Owner] == 0 ? null
            : Sid.Read(selfRelative, offsets[(int)Component.Owner], selfRelative.Length, "owner SID");
        Sid? group = offsets[(int)Component.Group] == 0 ? null
            : Sid.Read(selfRelative, offsets[(int)Component.Group], selfRelative.Length, "group SID");
        AccessControlList? sacl = offsets[(int)Component.Sacl] == 0 ? null
            : AccessControlList.Read(selfRelative, offsets[(int)Component.Sacl], "SACL");
        AccessControlList? dacl = offsets[(int)Component.Dacl] == 0 ? null
            : AccessControlList.Read(selfRelative, offsets[(int)Component.Dacl], "DACL");

        // Re-encoding keeps the components in the order they had, so that bytes → Parse → ToBinary is the identity.
        present.Sort((a, b) => a.Offset != b.Offset ? a.Offset.CompareTo(b.Offset) : a.Component.CompareTo(b.Component));
        Component[] layout = [.. present.Select(p => p.Component), .. DefaultLayout.Where(c => !present.Exists(p => p.Component == c))];
        return new SecurityDescriptor(control, selfRelative[1], owner, group, sacl, dacl, layout);
    }

    /// <summary>Parses SDDL, as <c>ConvertStringSecurityDescriptorToSecurityDescriptorW</c> does.</summary>
    /// <param name="sddl">The SDDL string, e.g. <c>O:BAG:SYD:(A;;FA;;;BA)</c>.</param>
    /// <returns>The descriptor.</returns>
    /// <exception cref="FormatException">The text is not valid SDDL (the message names the position).</exception>
    public static SecurityDescriptor Parse(string sddl)
    {
        ArgumentNullException.ThrowIfNull(sddl);
        return SddlParser.Parse(sddl);
    }

    /// <summary>The former name of <see cref="FromBinary"/>, kept for existing callers.</summary>
    /// <param name="selfRelative">The bytes.</param>
    /// <returns>The descriptor.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static SecurityDescriptor Parse(ReadOnlySpan<byte> selfRelative) => FromBinary(selfRelative);

    /// <summary>The former name of <see cref="Parse(string)"/>, kept for existing callers.</summary>
    /// <param name="sddl">The SDDL string.</param>
    /// <returns>The descriptor.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static SecurityDescriptor ParseSddl(string sddl) => Parse(sddl);

    /// <summary>Encodes the self-relative binary form.</summary>
    /// <returns>The bytes.</returns>
    public byte[] ToBinary()
    {
        var bytes = new byte[BinaryLength];
        bytes[0] = Revision;
        bytes[1] = ResourceManagerControl;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), (ushort)Control);
        int position = HeaderSize;
        foreach (Component component in _layout)
        {
            int field = component switch
            {
                Component.Owner => 4,
                Component.Group => 8,
                Component.Sacl => 12,
                _ => 16,
            };
            int length = component switch
            {
                Component.Owner => Write(Owner, bytes.AsSpan(position)),
                Component.Group => Write(Group, bytes.AsSpan(position)),
                Component.Sacl => Write(Sacl, bytes.AsSpan(position)),
                _ => Write(Dacl, bytes.AsSpan(position)),
            };
            if (length != 0)
            {
                BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(field), position);
                position += length;
            }
        }

        return bytes;
    }

    /// <summary>Formats SDDL as Windows prints it (<c>ConvertSecurityDescriptorToStringSecurityDescriptorW</c> with all sections).</summary>
    /// <returns>The SDDL string.</returns>
    /// <exception cref="NotSupportedException">An ACE has a type or payload (conditions, claims, raw bytes) this codec cannot print.</exception>
    public string ToSddl() => SddlWriter.Write(this);

    /// <inheritdoc/>
    public override string ToString() => ToSddl();

    private static int Write(Sid? sid, Span<byte> destination)
    {
        sid?.WriteTo(destination);
        return sid?.BinaryLength ?? 0;
    }

    private static int Write(AccessControlList? acl, Span<byte> destination)
    {
        acl?.WriteTo(destination);
        return acl?.BinaryLength ?? 0;
    }
}
