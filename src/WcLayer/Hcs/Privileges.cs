using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace WcLayer.Hcs;

/// <summary>
/// Runs an operation with privileges enabled for the calling thread only (go-winio's <c>RunWithPrivileges</c>):
/// impersonate self, enable on the thread token, run, revert. The process token is never changed, so other threads
/// and the rest of the process keep their privileges as they were.
/// </summary>
/// <remarks>
/// Only the privileges the token holds are enabled; a missing one is not an error. hcsshim's wclayer functions enable
/// nothing and require nothing (its CLI enables SeBackupPrivilege and SeRestorePrivilege for the process, best
/// effort), so a Backup Operators token, which has no SeSecurityPrivilege, must work here as it does there: what the
/// token lacks shows up as the access error of the operation that needs it, as in hcsshim.
/// </remarks>
[SupportedOSPlatform("windows")]
internal static class Privileges
{
    internal const string Backup = "SeBackupPrivilege";
    internal const string Restore = "SeRestorePrivilege";
    internal const string Security = "SeSecurityPrivilege";

    /// <summary>Runs <paramref name="action"/> on this thread with those of <paramref name="names"/> the token holds enabled.</summary>
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
                    EnableHeld(token, names, luids);
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

    // One privilege per call: AdjustTokenPrivileges only says "not all assigned", so this is how the ones the token
    // lacks are skipped and named (on the current activity) without failing the others.
    private static unsafe void EnableHeld(SafeKernelHandle token, ReadOnlySpan<string> names, Interop.Advapi32.Luid[] luids)
    {
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
                Activity.Current?.AddEvent(new ActivityEvent("privilege not held", tags: new ActivityTagsCollection { ["privilege"] = names[i] }));
            }
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

    private static void Require(bool ok, string operation)
    {
        if (!ok)
        {
            throw Failure(operation, Marshal.GetLastPInvokeError());
        }
    }

    private static HcsException Failure(string operation, int error) =>
        new($"{operation}: {SystemMessage.Of(error)}", operation, error, path: null, innerException: null);
}
