using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace WcLayer.Hcs;

/// <summary>
/// Runs an operation with privileges enabled for the calling thread only (go-winio's <c>RunWithPrivileges</c>):
/// impersonate self, enable on the thread token, run, revert. The process token is never changed, so other threads
/// and the rest of the process keep their privileges as they were.
/// </summary>
[SupportedOSPlatform("windows")]
internal static class Privileges
{
    internal const string Backup = "SeBackupPrivilege";
    internal const string Restore = "SeRestorePrivilege";
    internal const string Security = "SeSecurityPrivilege";

    /// <summary>Runs <paramref name="action"/> on this thread with <paramref name="names"/> enabled.</summary>
    /// <exception cref="PrivilegeException">The caller's token does not hold one of the privileges.</exception>
    internal static void Run(ReadOnlySpan<string> names, Action action)
    {
        Interop.Advapi32.Luid[] luids = new Interop.Advapi32.Luid[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            luids[i] = LookupValue(names[i]);
        }

        // The impersonation token belongs to this OS thread; keep the managed thread on it until we revert.
        Thread.BeginThreadAffinity();
        try
        {
            Require(Interop.Advapi32.ImpersonateSelf(Interop.Advapi32.SecurityImpersonation), "ImpersonateSelf");
            try
            {
                using (SafeKernelHandle token = OpenThreadToken())
                {
                    EnableAll(token, names, luids);
                }

                action();
            }
            finally
            {
                // Leaving a thread impersonating with elevated privileges is worse than stopping (go-winio panics).
                if (!Interop.Advapi32.RevertToSelf())
                {
                    Environment.FailFast($"RevertToSelf failed ({Marshal.GetLastPInvokeError()}); the thread would keep its privileges.");
                }
            }
        }
        finally
        {
            Thread.EndThreadAffinity();
        }
    }

    private static SafeKernelHandle OpenThreadToken()
    {
        bool ok = Interop.Advapi32.OpenThreadToken(
            Interop.Advapi32.CurrentThread,
            Interop.Advapi32.TokenAdjustPrivileges | Interop.Advapi32.TokenQuery,
            openAsSelf: false,
            out SafeKernelHandle token);
        if (!ok)
        {
            int error = Marshal.GetLastPInvokeError();
            token.Dispose();
            throw Failure("OpenThreadToken", error);
        }

        return token;
    }

    // One privilege per call: AdjustTokenPrivileges only says "not all assigned", so this is how the exception can
    // name exactly the privileges that are missing.
    private static unsafe void EnableAll(SafeKernelHandle token, ReadOnlySpan<string> names, Interop.Advapi32.Luid[] luids)
    {
        List<string>? missing = null;
        for (int i = 0; i < luids.Length; i++)
        {
            var state = new Interop.Advapi32.TokenPrivileges
            {
                PrivilegeCount = 1,
                Luid = luids[i],
                Attributes = Interop.Advapi32.SePrivilegeEnabled,
            };
            bool ok = Interop.Advapi32.AdjustTokenPrivileges(token, false, &state, (uint)sizeof(Interop.Advapi32.TokenPrivileges), null, null);
            int error = Marshal.GetLastPInvokeError();
            if (!ok)
            {
                throw Failure("AdjustTokenPrivileges", error);
            }

            if (error == Win32Error.NotAllAssigned)
            {
                (missing ??= []).Add(names[i]);
            }
        }

        if (missing is not null)
        {
            throw new PrivilegeException(missing, missing.ConvertAll(DisplayName));
        }
    }

    private static Interop.Advapi32.Luid LookupValue(string name)
    {
        if (!Interop.Advapi32.LookupPrivilegeValue(null, name, out Interop.Advapi32.Luid luid))
        {
            throw Failure("LookupPrivilegeValue " + name, Marshal.GetLastPInvokeError());
        }

        return luid;
    }

    /// <summary>The localized display name, e.g. "Back up files and directories"; go-winio's fallback otherwise.</summary>
    internal static unsafe string DisplayName(string name)
    {
        char* buffer = stackalloc char[256];
        uint length = 256;
        return Interop.Advapi32.LookupPrivilegeDisplayName(null, name, buffer, ref length, out _)
            ? new string(buffer, 0, (int)Math.Min(length, 255))
            : $"<unknown privilege {name}>";
    }

    private static void Require(bool ok, string operation)
    {
        if (!ok)
        {
            throw Failure(operation, Marshal.GetLastPInvokeError());
        }
    }

    private static HcsException Failure(string operation, int error) =>
        new($"{operation}: {Win32Error.GetMessage(error)}", operation, error, path: null, innerException: null);
}
