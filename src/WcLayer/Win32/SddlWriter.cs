using System.Text;

namespace WcLayer.Win32;

/// <summary>Prints a security descriptor as SDDL the way Windows does (sections O, G, D, S; uppercase aliases).</summary>
internal static class SddlWriter
{
    public static string Write(SecurityDescriptor descriptor)
    {
        var builder = new StringBuilder();
        if (descriptor.Owner is { } owner)
        {
            builder.Append("O:").Append(FormatSid(owner));
        }

        if (descriptor.Group is { } group)
        {
            builder.Append("G:").Append(FormatSid(group));
        }

        SecurityDescriptorControl control = descriptor.Control;
        if ((control & SecurityDescriptorControl.DaclPresent) != 0)
        {
            builder.Append("D:");
            AppendAcl(builder, descriptor.Dacl, control, SecurityDescriptorControl.DaclProtected,
                SecurityDescriptorControl.DaclAutoInheritRequired, SecurityDescriptorControl.DaclAutoInherited);
        }

        if ((control & SecurityDescriptorControl.SaclPresent) != 0)
        {
            builder.Append("S:");
            AppendAcl(builder, descriptor.Sacl, control, SecurityDescriptorControl.SaclProtected,
                SecurityDescriptorControl.SaclAutoInheritRequired, SecurityDescriptorControl.SaclAutoInherited);
        }

        return builder.ToString();
    }

    public static string FormatSid(Sid sid) => WellKnownSidAliases.GetAlias(sid) ?? sid.ToString();

    private static void AppendAcl(StringBuilder builder, AccessControlList? acl, SecurityDescriptorControl control,
        SecurityDescriptorControl protectedFlag, SecurityDescriptorControl inheritRequiredFlag, SecurityDescriptorControl inheritedFlag)
    {
        if ((control & protectedFlag) != 0)
        {
            builder.Append('P');
        }

        if ((control & inheritRequiredFlag) != 0)
        {
            builder.Append("AR");
        }

        if ((control & inheritedFlag) != 0)
        {
            builder.Append("AI");
        }

        if (acl is null)
        {
            builder.Append("NO_ACCESS_CONTROL");
            return;
        }

        foreach (AccessControlEntry entry in acl.Entries)
        {
            AppendAce(builder, entry);
        }
    }

    private static void AppendAce(StringBuilder builder, AccessControlEntry entry)
    {
        string? type = entry.IsRaw ? null : SddlAceTokens.GetTypeToken(entry.Type);
        if (type is null)
        {
            throw new NotSupportedException(
                $"ACE type {entry.Type} (0x{(byte)entry.Type:x2}) has no SDDL form this codec can print; only its binary form round-trips.");
        }

        builder.Append('(').Append(type).Append(';')
            .Append(SddlAceTokens.FormatFlags(entry.Flags)).Append(';')
            .Append(AccessRightAliases.Format(entry.AccessMask, entry.Type == AceType.SystemMandatoryLabel)).Append(';')
            .Append(entry.ObjectType?.ToString("D")).Append(';')
            .Append(entry.InheritedObjectType?.ToString("D")).Append(';')
            .Append(FormatSid(entry.Sid!)).Append(')');
    }
}
