namespace WcLayer.Win32;

/// <summary>The SDDL spellings of ACE types and ACE flags.</summary>
internal static class SddlAceTokens
{
    private static readonly (string Token, AceType Type)[] Types =
    [
        ("A", AceType.AccessAllowed), ("D", AceType.AccessDenied), ("AU", AceType.SystemAudit),
        ("AL", AceType.SystemAlarm), ("OA", AceType.AccessAllowedObject), ("OD", AceType.AccessDeniedObject),
        ("OU", AceType.SystemAuditObject), ("OL", AceType.SystemAlarmObject), ("ML", AceType.SystemMandatoryLabel),
    ];

    /// <summary>Flags in ascending bit order, the order Windows prints them in (e.g. <c>OICIIOID</c>).</summary>
    private static readonly (string Token, AceFlags Flag)[] FlagTokens =
    [
        ("OI", AceFlags.ObjectInherit), ("CI", AceFlags.ContainerInherit), ("NP", AceFlags.NoPropagateInherit),
        ("IO", AceFlags.InheritOnly), ("ID", AceFlags.Inherited), ("CR", AceFlags.Critical),
        ("SA", AceFlags.SuccessfulAccess), ("FA", AceFlags.FailedAccess),
    ];

    /// <summary>Types whose SDDL form needs features this codec does not implement (conditions, claims).</summary>
    private static readonly string[] Unsupported = ["XA", "XD", "XU", "ZA", "RA", "SP", "TL", "FL"];

    public static string? GetTypeToken(AceType type)
    {
        foreach ((string token, AceType t) in Types)
        {
            if (t == type)
            {
                return token;
            }
        }

        return null;
    }

    public static bool TryResolveType(ReadOnlySpan<char> token, out AceType type)
    {
        foreach ((string name, AceType t) in Types)
        {
            if (token.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                type = t;
                return true;
            }
        }

        type = default;
        return false;
    }

    public static bool IsUnsupportedType(ReadOnlySpan<char> token)
    {
        foreach (string name in Unsupported)
        {
            if (token.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public static string FormatFlags(AceFlags flags)
    {
        string result = string.Empty;
        foreach ((string token, AceFlags flag) in FlagTokens)
        {
            if ((flags & flag) != 0)
            {
                result += token;
            }
        }

        return result;
    }

    public static bool TryResolveFlag(ReadOnlySpan<char> token, out AceFlags flag)
    {
        foreach ((string name, AceFlags f) in FlagTokens)
        {
            if (token.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                flag = f;
                return true;
            }
        }

        // TP (trust protected) shares its bit with SA; it only means something on access filter ACEs.
        flag = AceFlags.SuccessfulAccess;
        return token.Equals("TP", StringComparison.OrdinalIgnoreCase);
    }
}
