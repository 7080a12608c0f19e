using WcLayer.Win32;

namespace WcLayer.Images;

/// <summary>
/// The security descriptor Windows gives a new file or folder created in a folder: the folder's inheritable DACL
/// entries, as <c>CreatePrivateObjectSecurityEx</c> derives them for NTFS (generic rights mapped, <c>CREATOR
/// OWNER</c>/<c>CREATOR GROUP</c> replaced, propagation flags kept for folders). The new object has no explicit entries.
/// </summary>
public static class SecurityInheritance
{
    private const uint GenericRead = 0x8000_0000;
    private const uint GenericWrite = 0x4000_0000;
    private const uint GenericExecute = 0x2000_0000;
    private const uint GenericAll = 0x1000_0000;
    private const uint GenericMask = GenericRead | GenericWrite | GenericExecute | GenericAll;
    private const AceFlags InheritFlags = AceFlags.ObjectInherit | AceFlags.ContainerInherit;

    private static readonly Sid CreatorOwner = Sid.Parse("S-1-3-0");
    private static readonly Sid CreatorGroup = Sid.Parse("S-1-3-1");

    /// <summary>The descriptor of a new object created in a folder with descriptor <paramref name="parent"/>.</summary>
    /// <param name="parent">The folder's descriptor.</param>
    /// <param name="isFolder">Whether the new object is a folder (it keeps the entries that propagate further).</param>
    /// <param name="owner">The new object's owner (the creator).</param>
    /// <param name="group">The new object's primary group.</param>
    /// <returns>The new object's descriptor.</returns>
    public static SecurityDescriptor Inherit(SecurityDescriptor parent, bool isFolder, Sid owner, Sid group)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(group);
        var entries = new List<AccessControlEntry>();
        foreach (AccessControlEntry ace in parent.Dacl?.Entries ?? [])
        {
            AceFlags flags = ace.Flags;
            bool noPropagate = (flags & AceFlags.NoPropagateInherit) != 0;
            if (!isFolder)
            {
                if ((flags & AceFlags.ObjectInherit) != 0)
                {
                    entries.Add(Effective(ace, owner, group));
                }
            }
            else if ((flags & AceFlags.ContainerInherit) != 0)
            {
                if (noPropagate)
                {
                    entries.Add(Effective(ace, owner, group));
                }
                else if (NeedsSplit(ace))
                {
                    // Windows keeps the generic / creator form for the children and adds the meaning for this folder.
                    entries.Add(Effective(ace, owner, group));
                    entries.Add(WithFlags(ace, (flags & InheritFlags) | AceFlags.InheritOnly | AceFlags.Inherited));
                }
                else
                {
                    entries.Add(WithFlags(ace, (flags & InheritFlags) | AceFlags.Inherited));
                }
            }
            else if ((flags & AceFlags.ObjectInherit) != 0 && !noPropagate)
            {
                // Only for the folder's files: the new folder passes it on without it applying to itself.
                entries.Add(WithFlags(ace, AceFlags.ObjectInherit | AceFlags.InheritOnly | AceFlags.Inherited));
            }
        }

        SecurityDescriptorControl control = parent.Control & SecurityDescriptorControl.DaclAutoInherited;
        return new SecurityDescriptor(control, owner, group, sacl: null, new AccessControlList(entries));
    }

    private static bool NeedsSplit(AccessControlEntry ace) =>
        !ace.IsRaw && ((ace.AccessMask & GenericMask) != 0 || CreatorOwner.Equals(ace.Sid) || CreatorGroup.Equals(ace.Sid));

    private static AccessControlEntry Effective(AccessControlEntry ace, Sid owner, Sid group)
    {
        if (ace.IsRaw)
        {
            return AccessControlEntry.CreateRaw(ace.Type, AceFlags.Inherited, ace.RawBody.Span);
        }

        Sid sid = CreatorOwner.Equals(ace.Sid) ? owner : CreatorGroup.Equals(ace.Sid) ? group : ace.Sid!;
        return new AccessControlEntry(ace.Type, AceFlags.Inherited, MapGeneric(ace.AccessMask), sid, ace.ObjectType, ace.InheritedObjectType, ace.TrailingData.Span);
    }

    private static AccessControlEntry WithFlags(AccessControlEntry ace, AceFlags flags) =>
        ace.IsRaw
            ? AccessControlEntry.CreateRaw(ace.Type, flags, ace.RawBody.Span)
            : new AccessControlEntry(ace.Type, flags, ace.AccessMask, ace.Sid!, ace.ObjectType, ace.InheritedObjectType, ace.TrailingData.Span);

    /// <summary>NTFS's generic mapping: FILE_GENERIC_READ, _WRITE, _EXECUTE and FILE_ALL_ACCESS.</summary>
    private static uint MapGeneric(uint mask)
    {
        uint mapped = mask & ~GenericMask;
        if ((mask & GenericRead) != 0)
        {
            mapped |= 0x0012_0089;
        }

        if ((mask & GenericWrite) != 0)
        {
            mapped |= 0x0012_0116;
        }

        if ((mask & GenericExecute) != 0)
        {
            mapped |= 0x0012_00A0;
        }

        if ((mask & GenericAll) != 0)
        {
            mapped |= 0x001F_01FF;
        }

        return mapped;
    }
}
