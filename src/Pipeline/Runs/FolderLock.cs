using System.Text;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace Pipeline.Runs;

/// <summary>
/// A run folder held by one `run` or `merge` at a time: an open-file-description lock (fcntl
/// F_OFD_SETLK) on OUTDIR/.pipeline.lock, which holds the holder's PID and host. The kernel drops the
/// lock when the process ends, however it ends, so a killed run never blocks its own resume; and,
/// unlike FileShare or a process-owned POSIX lock, it also shuts out a second opener in the same
/// process. The file stays after release: deleting it would let two processes lock two different files.
/// </summary>
public sealed class FolderLock : IDisposable
{
    public const string FileName = ".pipeline.lock";

    private int _fd;

    private FolderLock(int fd) => _fd = fd;

    /// <summary>Holds `dir` (created if missing) alone for this process, or refuses in one line naming the holder.</summary>
    public static FolderLock Acquire(string dir)
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, FileName);
        // Close-on-exec: a child process must not inherit, and so prolong, the lock.
        int fd = Syscall.open(path, OpenFlags.O_RDWR | OpenFlags.O_CREAT | OpenFlags.O_CLOEXEC,
            FilePermissions.S_IRUSR | FilePermissions.S_IWUSR | FilePermissions.S_IRGRP | FilePermissions.S_IROTH);
        if (fd < 0) throw new InputException($"{dir}: cannot create {FileName} ({Stdlib.strerror(Stdlib.GetLastError())})");
        var held = new FolderLock(fd);
        try
        {
            held.Lock(dir, path, LockType.F_WRLCK);
            var holder = Encoding.UTF8.GetBytes($"{Environment.ProcessId} {Environment.MachineName}\n");
            if (Syscall.ftruncate(fd, 0) != 0) throw new InputException($"{path}: cannot write ({Stdlib.strerror(Stdlib.GetLastError())})");
            using (var handle = new SafeFileHandle(fd, ownsHandle: false)) RandomAccess.Write(handle, holder, 0);
            return held;
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Holds `dir` shared (other readers welcome, no writer) while it is read, or refuses in one line
    /// naming the writer; null when no run ever held it (no lock file), which writes nothing into it.
    /// </summary>
    public static FolderLock? Share(string dir)
    {
        var path = Path.Combine(dir, FileName);
        if (!File.Exists(path)) return null;
        int fd = Syscall.open(path, OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC);
        if (fd < 0) throw new InputException($"{path}: cannot open ({Stdlib.strerror(Stdlib.GetLastError())})");
        var held = new FolderLock(fd);
        try
        {
            held.Lock(dir, path, LockType.F_RDLCK);
            return held;
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    private void Lock(string dir, string path, LockType type)
    {
        var whole = new Flock { l_type = type, l_whence = SeekFlags.SEEK_SET, l_start = 0, l_len = 0 };
        if (Syscall.fcntl(_fd, FcntlCommand.F_OFD_SETLK, ref whole) == 0) return;
        var error = Stdlib.GetLastError();
        if (error is Errno.EAGAIN or Errno.EACCES)
            throw new InputException(ReadOnlyByOthers()
                ? $"{dir}: being read by a Pipeline merge; wait for it to end, then rerun"
                : $"{dir}: in use by another Pipeline run or merge ({Holder(path)}); wait for it to end or stop it, then rerun");
        throw new InputException($"{path}: cannot lock ({Stdlib.strerror(error)}); the file system must support fcntl locks");
    }

    /// <summary>True when only shared holders block us: merges reading the folder, whose PIDs the file does not hold.</summary>
    private bool ReadOnlyByOthers()
    {
        var probe = new Flock { l_type = LockType.F_WRLCK, l_whence = SeekFlags.SEEK_SET, l_start = 0, l_len = 0 };
        return Syscall.fcntl(_fd, FcntlCommand.F_OFD_GETLK, ref probe) == 0 && probe.l_type == LockType.F_RDLCK;
    }

    /// <summary>"PID 123 on host", as the holder wrote it; read without any lock so that it never waits.</summary>
    private static string Holder(string path)
    {
        int fd = Syscall.open(path, OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC);
        if (fd < 0) return "holder unknown";
        try
        {
            var buffer = new byte[256];
            int n;
            using (var handle = new SafeFileHandle(fd, ownsHandle: false)) n = RandomAccess.Read(handle, buffer, 0);
            var fields = n > 0 ? Encoding.UTF8.GetString(buffer, 0, (int)n).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) : [];
            if (fields.Length == 0 || !int.TryParse(fields[0], out int pid)) return "holder unknown";
            return fields.Length > 1 ? $"PID {pid} on {fields[1]}" : $"PID {pid}";
        }
        finally
        {
            Syscall.close(fd);
        }
    }

    public void Dispose()
    {
        if (_fd < 0) return;
        Syscall.close(_fd);
        _fd = -1;
    }
}
