namespace WcLayer.Win32;

/// <summary>The flags byte of an access control entry (<c>ACE_HEADER.AceFlags</c>).</summary>
[Flags]
public enum AceFlags : byte
{
    /// <summary>No flags.</summary>
    None = 0,

    /// <summary><c>OBJECT_INHERIT_ACE</c>, SDDL <c>OI</c>.</summary>
    ObjectInherit = 0x01,

    /// <summary><c>CONTAINER_INHERIT_ACE</c>, SDDL <c>CI</c>.</summary>
    ContainerInherit = 0x02,

    /// <summary><c>NO_PROPAGATE_INHERIT_ACE</c>, SDDL <c>NP</c>.</summary>
    NoPropagateInherit = 0x04,

    /// <summary><c>INHERIT_ONLY_ACE</c>, SDDL <c>IO</c>.</summary>
    InheritOnly = 0x08,

    /// <summary><c>INHERITED_ACE</c>, SDDL <c>ID</c>.</summary>
    Inherited = 0x10,

    /// <summary><c>CRITICAL_ACE_FLAG</c>, SDDL <c>CR</c>.</summary>
    Critical = 0x20,

    /// <summary><c>SUCCESSFUL_ACCESS_ACE_FLAG</c>, SDDL <c>SA</c> (on access filter ACEs the same bit is <c>TP</c>, trust protected).</summary>
    SuccessfulAccess = 0x40,

    /// <summary><c>FAILED_ACCESS_ACE_FLAG</c>, SDDL <c>FA</c>.</summary>
    FailedAccess = 0x80,
}
