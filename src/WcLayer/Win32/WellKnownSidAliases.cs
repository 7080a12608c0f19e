namespace WcLayer.Win32;

/// <summary>
/// The two-letter SDDL aliases of well-known SIDs that do not depend on a domain. Domain-relative aliases
/// (<c>DA</c>, <c>DU</c>, <c>LA</c>, …) stand for different SIDs on every machine, so they are printed numerically and
/// rejected when parsed.
/// </summary>
internal static class WellKnownSidAliases
{
    private static readonly (string Alias, string Sid)[] Table =
    [
        ("AA", "S-1-5-32-579"), ("AC", "S-1-15-2-1"), ("AN", "S-1-5-7"), ("AO", "S-1-5-32-548"), ("AS", "S-1-18-1"),
        ("AU", "S-1-5-11"), ("BA", "S-1-5-32-544"), ("BG", "S-1-5-32-546"), ("BO", "S-1-5-32-551"),
        ("BU", "S-1-5-32-545"), ("CD", "S-1-5-32-574"), ("CG", "S-1-3-1"), ("CO", "S-1-3-0"), ("CY", "S-1-5-32-569"),
        ("ED", "S-1-5-9"), ("ER", "S-1-5-32-573"), ("ES", "S-1-5-32-576"), ("HA", "S-1-5-32-578"),
        ("HI", "S-1-16-12288"), ("IS", "S-1-5-32-568"), ("IU", "S-1-5-4"), ("LS", "S-1-5-19"), ("LU", "S-1-5-32-559"),
        ("LW", "S-1-16-4096"), ("ME", "S-1-16-8192"), ("MP", "S-1-16-8448"), ("MS", "S-1-5-32-577"),
        ("MU", "S-1-5-32-558"), ("NO", "S-1-5-32-556"), ("NS", "S-1-5-20"), ("NU", "S-1-5-2"), ("OW", "S-1-3-4"),
        ("PO", "S-1-5-32-550"), ("PS", "S-1-5-10"), ("PU", "S-1-5-32-547"), ("RA", "S-1-5-32-575"), ("RC", "S-1-5-12"),
        ("RD", "S-1-5-32-555"), ("RE", "S-1-5-32-552"), ("RM", "S-1-5-32-580"), ("RU", "S-1-5-32-554"),
        ("SI", "S-1-16-16384"), ("SO", "S-1-5-32-549"), ("SS", "S-1-18-2"), ("SU", "S-1-5-6"), ("SY", "S-1-5-18"),
        ("UD", "S-1-5-84-0-0-0-0-0"), ("WD", "S-1-1-0"), ("WR", "S-1-5-33"),
    ];

    /// <summary>Aliases of SIDs relative to the machine's or forest's domain.</summary>
    private static readonly HashSet<string> DomainRelative = new(StringComparer.Ordinal)
    {
        "AP", "CA", "CN", "DA", "DC", "DD", "DG", "DU", "EA", "EK", "KA", "LA", "LG", "PA", "RO", "RS", "SA",
    };

    private static readonly Dictionary<string, Sid> ByAlias =
        Table.ToDictionary(e => e.Alias, e => Sid.Parse(e.Sid), StringComparer.OrdinalIgnoreCase);

    private static readonly Dictionary<Sid, string> BySid = Table.ToDictionary(e => Sid.Parse(e.Sid), e => e.Alias);

    /// <summary>Gets the alias Windows prints for a SID, or null to print it numerically.</summary>
    public static string? GetAlias(Sid sid) => BySid.GetValueOrDefault(sid);

    /// <summary>Resolves an alias, case-insensitively.</summary>
    public static Sid? Resolve(string alias) => ByAlias.GetValueOrDefault(alias);

    /// <summary>Gets whether an alias names a domain-relative SID.</summary>
    public static bool IsDomainRelative(string alias) => DomainRelative.Contains(alias.ToUpperInvariant());
}
