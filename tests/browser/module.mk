# tests/browser/: the dashboard in real headless Chromium (run.sh installs
# Chromium, npm and playwright-core when missing). Part of `make test`,
# which leaves its screenshot in $(O)/dashboard.png; `make screenshot`
# refreshes the one the README shows (docs/dashboard.png).
.PHONY: check-browser screenshot
check-browser: all
	@VIGIL_BUILD=$(abspath $(O)) \
	    VIGIL_SCREENSHOT=$${VIGIL_SCREENSHOT:-$(abspath $(O))/dashboard.png} \
	    tests/browser/run.sh

screenshot: all
	@VIGIL_BUILD=$(abspath $(O)) VIGIL_SCREENSHOT=$(abspath docs/dashboard.png) \
	    tests/browser/run.sh

EXTRA_CHECKS	+= check-browser
