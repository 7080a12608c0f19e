namespace WcLayer.Win32;

/// <summary>The type byte of an access control entry (<c>ACE_HEADER.AceType</c>).</summary>
public enum AceType : byte
{
    /// <summary><c>ACCESS_ALLOWED_ACE_TYPE</c>, SDDL <c>A</c>.</summary>
    AccessAllowed = 0x00,

    /// <summary><c>ACCESS_DENIED_ACE_TYPE</c>, SDDL <c>D</c>.</summary>
    AccessDenied = 0x01,

    /// <summary><c>SYSTEM_AUDIT_ACE_TYPE</c>, SDDL <c>AU</c>.</summary>
    SystemAudit = 0x02,

    /// <summary><c>SYSTEM_ALARM_ACE_TYPE</c>, SDDL <c>AL</c>.</summary>
    SystemAlarm = 0x03,

    /// <summary><c>ACCESS_ALLOWED_COMPOUND_ACE_TYPE</c> (kept as raw bytes).</summary>
    AccessAllowedCompound = 0x04,

    /// <summary><c>ACCESS_ALLOWED_OBJECT_ACE_TYPE</c>, SDDL <c>OA</c>.</summary>
    AccessAllowedObject = 0x05,

    /// <summary><c>ACCESS_DENIED_OBJECT_ACE_TYPE</c>, SDDL <c>OD</c>.</summary>
    AccessDeniedObject = 0x06,

    /// <summary><c>SYSTEM_AUDIT_OBJECT_ACE_TYPE</c>, SDDL <c>OU</c>.</summary>
    SystemAuditObject = 0x07,

    /// <summary><c>SYSTEM_ALARM_OBJECT_ACE_TYPE</c>, SDDL <c>OL</c>.</summary>
    SystemAlarmObject = 0x08,

    /// <summary><c>ACCESS_ALLOWED_CALLBACK_ACE_TYPE</c>, SDDL <c>XA</c>.</summary>
    AccessAllowedCallback = 0x09,

    /// <summary><c>ACCESS_DENIED_CALLBACK_ACE_TYPE</c>, SDDL <c>XD</c>.</summary>
    AccessDeniedCallback = 0x0A,

    /// <summary><c>ACCESS_ALLOWED_CALLBACK_OBJECT_ACE_TYPE</c>, SDDL <c>ZA</c>.</summary>
    AccessAllowedCallbackObject = 0x0B,

    /// <summary><c>ACCESS_DENIED_CALLBACK_OBJECT_ACE_TYPE</c>.</summary>
    AccessDeniedCallbackObject = 0x0C,

    /// <summary><c>SYSTEM_AUDIT_CALLBACK_ACE_TYPE</c>, SDDL <c>XU</c>.</summary>
    SystemAuditCallback = 0x0D,

    /// <summary><c>SYSTEM_ALARM_CALLBACK_ACE_TYPE</c>.</summary>
    SystemAlarmCallback = 0x0E,

    /// <summary><c>SYSTEM_AUDIT_CALLBACK_OBJECT_ACE_TYPE</c>.</summary>
    SystemAuditCallbackObject = 0x0F,

    /// <summary><c>SYSTEM_ALARM_CALLBACK_OBJECT_ACE_TYPE</c>.</summary>
    SystemAlarmCallbackObject = 0x10,

    /// <summary><c>SYSTEM_MANDATORY_LABEL_ACE_TYPE</c>, SDDL <c>ML</c>.</summary>
    SystemMandatoryLabel = 0x11,

    /// <summary><c>SYSTEM_RESOURCE_ATTRIBUTE_ACE_TYPE</c>, SDDL <c>RA</c> (kept as raw bytes).</summary>
    SystemResourceAttribute = 0x12,

    /// <summary><c>SYSTEM_SCOPED_POLICY_ID_ACE_TYPE</c>, SDDL <c>SP</c>.</summary>
    SystemScopedPolicyId = 0x13,

    /// <summary><c>SYSTEM_PROCESS_TRUST_LABEL_ACE_TYPE</c>, SDDL <c>TL</c>.</summary>
    SystemProcessTrustLabel = 0x14,

    /// <summary><c>SYSTEM_ACCESS_FILTER_ACE_TYPE</c>, SDDL <c>FL</c> (kept as raw bytes).</summary>
    SystemAccessFilter = 0x15,
}
