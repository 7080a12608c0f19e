namespace WcLayer.Win32;

/// <summary>The control word of a security descriptor (<c>SECURITY_DESCRIPTOR_CONTROL</c>).</summary>
[Flags]
public enum SecurityDescriptorControl : ushort
{
    /// <summary>No flags.</summary>
    None = 0,

    /// <summary><c>SE_OWNER_DEFAULTED</c>.</summary>
    OwnerDefaulted = 0x0001,

    /// <summary><c>SE_GROUP_DEFAULTED</c>.</summary>
    GroupDefaulted = 0x0002,

    /// <summary><c>SE_DACL_PRESENT</c>: a DACL is present; with a zero offset it is a null DACL (everyone has full access).</summary>
    DaclPresent = 0x0004,

    /// <summary><c>SE_DACL_DEFAULTED</c>.</summary>
    DaclDefaulted = 0x0008,

    /// <summary><c>SE_SACL_PRESENT</c>.</summary>
    SaclPresent = 0x0010,

    /// <summary><c>SE_SACL_DEFAULTED</c>.</summary>
    SaclDefaulted = 0x0020,

    /// <summary><c>SE_DACL_UNTRUSTED</c>.</summary>
    DaclUntrusted = 0x0040,

    /// <summary><c>SE_SERVER_SECURITY</c>.</summary>
    ServerSecurity = 0x0080,

    /// <summary><c>SE_DACL_AUTO_INHERIT_REQ</c>, SDDL <c>AR</c> in the <c>D:</c> section.</summary>
    DaclAutoInheritRequired = 0x0100,

    /// <summary><c>SE_SACL_AUTO_INHERIT_REQ</c>, SDDL <c>AR</c> in the <c>S:</c> section.</summary>
    SaclAutoInheritRequired = 0x0200,

    /// <summary><c>SE_DACL_AUTO_INHERITED</c>, SDDL <c>AI</c> in the <c>D:</c> section.</summary>
    DaclAutoInherited = 0x0400,

    /// <summary><c>SE_SACL_AUTO_INHERITED</c>, SDDL <c>AI</c> in the <c>S:</c> section.</summary>
    SaclAutoInherited = 0x0800,

    /// <summary><c>SE_DACL_PROTECTED</c>, SDDL <c>P</c> in the <c>D:</c> section.</summary>
    DaclProtected = 0x1000,

    /// <summary><c>SE_SACL_PROTECTED</c>, SDDL <c>P</c> in the <c>S:</c> section.</summary>
    SaclProtected = 0x2000,

    /// <summary><c>SE_RM_CONTROL_VALID</c>: the resource manager control byte is meaningful.</summary>
    ResourceManagerControlValid = 0x4000,

    /// <summary><c>SE_SELF_RELATIVE</c>: components are located by offsets, not pointers.</summary>
    SelfRelative = 0x8000,
}
