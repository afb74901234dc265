namespace Emperor.Benchmarks;

/// <summary>
/// A typical vassal file in each format: magic variables (%n, %d, %k, %s), placeholders with arithmetic, an
/// included common file, a logic block (if-exists) and a loop (for). The INI file is the reference (30 lines);
/// the others say the same where their format allows it (JSON has no ordered duplicate keys, so no logic).
/// </summary>
internal static class VassalFiles
{
    public const string Directory = "/etc/uwsgi/vassals";

    public const string Common = """
        [uwsgi]
        plugins = python3
        die-on-term = true
        disable-logging = true
        memory-report = true
        """;

    public const string Ini = """
        [uwsgi]
        ; shop: the storefront, one of many vassals
        project = %n
        base = /srv/apps/%(project)
        chdir = %(base)/current
        include = common.ini
        master = true
        cores = %k
        processes = %(cores * 2)
        threads = 2
        socket = /run/uwsgi/%n.sock
        chmod-socket = 660
        vacuum = true
        uid = www-data
        gid = www-data
        harakiri = 30
        max-requests = 5000
        buffer-size = 32768
        logto = /var/log/uwsgi/%n.log
        env = APP_ENV=production
        env = APP_HOME=%(base)
        env = APP_CONFIG=%d%s
        wsgi-file = %(chdir)/wsgi.py
        if-exists = %d%n.maintenance
        route = .* break:503
        endif =
        for = static media
        static-map = /%(_)=%(base)/shared/%(_)
        endfor =
        stats = /run/uwsgi/%n.stats
        """;

    public const string Yaml = """
        # shop: the storefront, one of many vassals
        uwsgi:
          project: "%n"
          base: /srv/apps/%(project)
          chdir: "%(base)/current"
          include: common.ini
          master: true
          cores: "%k"
          processes: "%(cores * 2)"
          threads: 2
          socket: /run/uwsgi/%n.sock
          chmod-socket: 660
          vacuum: true
          uid: www-data
          gid: www-data
          harakiri: 30
          max-requests: 5000
          buffer-size: 32768
          logto: /var/log/uwsgi/%n.log
          env: APP_ENV=production
          env: APP_HOME=%(base)
          env: APP_CONFIG=%d%s
          wsgi-file: "%(chdir)/wsgi.py"
          if-exists: "%d%n.maintenance"
          route: ".* break:503"
          endif: 1
          for: static media
          static-map: /%(_)=%(base)/shared/%(_)
          endfor: 1
          stats: /run/uwsgi/%n.stats
        """;

    public const string Json = """
        {"uwsgi": {
          "project": "%n",
          "base": "/srv/apps/%(project)",
          "chdir": "%(base)/current",
          "include": "common.ini",
          "master": true,
          "cores": "%k",
          "processes": "%(cores * 2)",
          "threads": 2,
          "socket": "/run/uwsgi/%n.sock",
          "chmod-socket": 660,
          "vacuum": true,
          "uid": "www-data",
          "gid": "www-data",
          "harakiri": 30,
          "max-requests": 5000,
          "buffer-size": 32768,
          "logto": "/var/log/uwsgi/%n.log",
          "env": ["APP_ENV=production", "APP_HOME=%(base)", "APP_CONFIG=%d%s"],
          "wsgi-file": "%(chdir)/wsgi.py",
          "static-map": ["/static=%(base)/shared/static", "/media=%(base)/shared/media"],
          "stats": "/run/uwsgi/%n.stats"
        }}
        """;

    public const string Xml = """
        <?xml version="1.0"?>
        <!-- shop: the storefront, one of many vassals -->
        <uwsgi>
          <project>%n</project>
          <base>/srv/apps/%(project)</base>
          <chdir>%(base)/current</chdir>
          <include>common.ini</include>
          <master/>
          <cores>%k</cores>
          <processes>%(cores * 2)</processes>
          <threads>2</threads>
          <socket>/run/uwsgi/%n.sock</socket>
          <chmod-socket>660</chmod-socket>
          <vacuum/>
          <uid>www-data</uid>
          <gid>www-data</gid>
          <harakiri>30</harakiri>
          <max-requests>5000</max-requests>
          <buffer-size>32768</buffer-size>
          <logto>/var/log/uwsgi/%n.log</logto>
          <env>APP_ENV=production</env>
          <env>APP_HOME=%(base)</env>
          <env>APP_CONFIG=%d%s</env>
          <wsgi-file>%(chdir)/wsgi.py</wsgi-file>
          <if-exists>%d%n.maintenance</if-exists>
          <route>.* break:503</route>
          <endif/>
          <for>static media</for>
          <static-map>/%(_)=%(base)/shared/%(_)</static-map>
          <endfor/>
          <stats>/run/uwsgi/%n.stats</stats>
        </uwsgi>
        """;
}
