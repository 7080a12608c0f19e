using System.Globalization;

namespace WcLayer.Win32;

/// <summary>Parses SDDL into a security descriptor. Errors are <see cref="FormatException"/>s that name the position.</summary>
internal sealed class SddlParser
{
    private const string NoAccessControl = "NO_ACCESS_CONTROL";

    private readonly string _text;
    private int _position;

    private SddlParser(string text) => _text = text;

    public static SecurityDescriptor Parse(string text) => new SddlParser(text).ParseDescriptor();

    private static bool IsSectionLetter(char c) => char.ToUpperInvariant(c) is 'O' or 'G' or 'D' or 'S';

    private SecurityDescriptor ParseDescriptor()
    {
        Sid? owner = null, group = null;
        AccessControlList? dacl = null, sacl = null;
        var control = SecurityDescriptorControl.SelfRelative;
        var seen = new HashSet<char>();
        while (_position < _text.Length)
        {
            int start = _position;
            if (!AtSection())
            {
                throw Error(start, "expected a section 'O:', 'G:', 'D:' or 'S:'");
            }

            char section = char.ToUpperInvariant(_text[_position]);
            if (!seen.Add(section))
            {
                throw Error(start, $"the '{section}:' section appears twice");
            }

            _position += 2;
            switch (section)
            {
                case 'O':
                    owner = ParseSid(_text.Length);
                    break;
                case 'G':
                    group = ParseSid(_text.Length);
                    break;
                case 'D':
                    dacl = ParseAcl(ref control, SecurityDescriptorControl.DaclPresent, SecurityDescriptorControl.DaclProtected,
                        SecurityDescriptorControl.DaclAutoInheritRequired, SecurityDescriptorControl.DaclAutoInherited);
                    break;
                default:
                    sacl = ParseAcl(ref control, SecurityDescriptorControl.SaclPresent, SecurityDescriptorControl.SaclProtected,
                        SecurityDescriptorControl.SaclAutoInheritRequired, SecurityDescriptorControl.SaclAutoInherited);
                    break;
            }
        }

        return new SecurityDescriptor(control, owner, group, sacl, dacl);
    }

    private bool AtSection() =>
        _position + 1 < _text.Length && IsSectionLetter(_text[_position]) && _text[_position + 1] == ':';

    private AccessControlList? ParseAcl(ref SecurityDescriptorControl control, SecurityDescriptorControl present,
        SecurityDescriptorControl protectedFlag, SecurityDescriptorControl inheritRequiredFlag, SecurityDescriptorControl inheritedFlag)
    {
        control |= present;
        bool noAccessControl = false;
        while (_position < _text.Length && _text[_position] != '(' && !AtSection())
        {
            if (Accept(NoAccessControl))
            {
                noAccessControl = true;
            }
            else if (Accept("AR"))
            {
                control |= inheritRequiredFlag;
            }
            else if (Accept("AI"))
            {
                control |= inheritedFlag;
            }
            else if (Accept("P"))
            {
                control |= protectedFlag;
            }
            else
            {
                throw Error(_position, "expected an ACL flag (P, AR, AI, NO_ACCESS_CONTROL) or '('");
            }
        }

        var entries = new List<AccessControlEntry>();
        while (_position < _text.Length && _text[_position] == '(')
        {
            if (noAccessControl)
            {
                throw Error(_position, "a NO_ACCESS_CONTROL ACL cannot have entries");
            }

            entries.Add(ParseAce());
        }

        if (noAccessControl)
        {
            return null;
        }

        try
        {
            return new AccessControlList(entries);
        }
        catch (ArgumentException e)
        {
            throw Error(_position, e.Message);
        }
    }

    private bool Accept(string token)
    {
        if (string.Compare(_text, _position, token, 0, token.Length, StringComparison.OrdinalIgnoreCase) == 0
            && _position + token.Length <= _text.Length)
        {
            _position += token.Length;
            return true;
        }

        return false;
    }

    private AccessControlEntry ParseAce()
    {
        int open = _position;
        int close = _text.IndexOf(')', open);
        if (close < 0)
        {
            throw Error(open, "the ACE has no closing ')'");
        }

        // Field boundaries: six fields, separated by ';'.
        Span<int> starts = stackalloc int[6];
        Span<int> ends = stackalloc int[6];
        int field = 0;
        int seventhField = -1;
        starts[0] = open + 1;
        for (int i = open + 1; i < close && seventhField < 0; i++)
        {
            if (_text[i] == ';')
            {
                ends[field] = i;
                if (field == 5)
                {
                    seventhField = i;
                }
                else
                {
                    starts[++field] = i + 1;
                }
            }
        }

        if (seventhField < 0)
        {
            ends[field] = close;
        }

        ReadOnlySpan<char> typeToken = _text.AsSpan(starts[0], ends[0] - starts[0]);
        if (!SddlAceTokens.TryResolveType(typeToken, out AceType type))
        {
            throw Error(starts[0], SddlAceTokens.IsUnsupportedType(typeToken)
                ? $"ACE type '{typeToken}' (callback, resource attribute, scoped policy, trust label or filter) is not supported"
                : $"unknown ACE type '{typeToken}'");
        }

        if (seventhField >= 0)
        {
            throw Error(seventhField, "conditional ACEs and resource attributes (a seventh ACE field) are not supported");
        }

        if (field != 5)
        {
            throw Error(close, $"an ACE has 6 fields separated by ';', this one has {field + 1}");
        }

        AceFlags flags = ParseAceFlags(starts[1], ends[1]);
        uint mask = ParseRights(starts[2], ends[2]);
        Guid? objectType = ParseGuid(starts[3], ends[3], type);
        Guid? inheritedObjectType = ParseGuid(starts[4], ends[4], type);
        _position = starts[5];
        Sid sid = ParseSid(close);
        if (_position != close)
        {
            throw Error(_position, "unexpected text after the ACE's SID");
        }

        _position = close + 1;
        return new AccessControlEntry(type, flags, mask, sid, objectType, inheritedObjectType);
    }

    private AceFlags ParseAceFlags(int start, int end)
    {
        var flags = AceFlags.None;
        for (int i = start; i < end; i += 2)
        {
            if (end - i < 2 || !SddlAceTokens.TryResolveFlag(_text.AsSpan(i, 2), out AceFlags flag))
            {
                throw Error(i, "expected an ACE flag (OI, CI, NP, IO, ID, SA, FA, CR, TP)");
            }

            flags |= flag;
        }

        return flags;
    }

    private uint ParseRights(int start, int end)
    {
        ReadOnlySpan<char> text = _text.AsSpan(start, end - start);
        if (text.Length > 2 && text[0] == '0' && (text[1] | 0x20) == 'x')
        {
            return uint.TryParse(text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint hex)
                ? hex
                : throw Error(start, "expected a 32-bit hexadecimal access mask");
        }

        if (text.Length > 0 && char.IsAsciiDigit(text[0]))
        {
            return uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint value)
                ? value
                : throw Error(start, "expected a 32-bit access mask");
        }

        uint mask = 0;
        for (int i = 0; i < text.Length; i += 2)
        {
            if (text.Length - i < 2 || !AccessRightAliases.TryResolve(text.Slice(i, 2), out uint right))
            {
                throw Error(start + i, "expected an access right (e.g. FA, GA, RC, 0x1f01ff)");
            }

            mask |= right;
        }

        return mask;
    }

    private Guid? ParseGuid(int start, int end, AceType type)
    {
        if (start == end)
        {
            return null;
        }

        if (!AccessControlEntry.IsObjectType(type))
        {
            throw Error(start, $"ACE type {type} takes no object GUID");
        }

        return Guid.TryParseExact(_text.AsSpan(start, end - start), "D", out Guid guid)
            ? guid
            : throw Error(start, "expected a GUID such as 00000000-0000-0000-0000-000000000000");
    }

    /// <summary>Parses a SID alias or <c>S-1-…</c> string at the current position, not reading past <paramref name="limit"/>.</summary>
    private Sid ParseSid(int limit)
    {
        int start = _position;
        if (limit - start >= 2 && char.ToUpperInvariant(_text[start]) == 'S' && _text[start + 1] == '-')
        {
            string text = _text[..limit];
            Sid? sid = Sid.TryParsePrefix(text, ref _position, out string? error);
            return sid ?? throw Error(_position, $"invalid SID string: {error}");
        }

        if (limit - start < 2)
        {
            throw Error(start, "expected a SID alias (e.g. BA) or a SID string (S-1-…)");
        }

        string alias = _text.Substring(start, 2);
        Sid? resolved = WellKnownSidAliases.Resolve(alias);
        if (resolved is null)
        {
            throw Error(start, WellKnownSidAliases.IsDomainRelative(alias)
                ? $"the SID alias '{alias}' is relative to a domain and cannot be resolved without one; use the S-1-5-21-… form"
                : $"unknown SID alias '{alias}'");
        }

        _position += 2;
        return resolved;
    }

    private FormatException Error(int position, string message) =>
        new($"Invalid SDDL at position {position}: {message}. (SDDL: \"{_text}\")");
}
