"""Members reading their pages and answering dinners (used by bench/load.py)."""

import json
import os
import random

from locust import HttpUser, between, task

MEMBERS = json.loads(open(os.environ["BENCH_MEMBERS"]).read())  # noqa: SIM115


class Member(HttpUser):
    wait_time = between(0.5, 2)

    def on_start(self):
        self.me = random.choice(MEMBERS)  # noqa: S311 (load mix, not security)
        self.client.cookies.set("sessionid", self.me["session"])

    @task(4)
    def dashboard(self):
        self.client.get("/", name="dashboard")

    @task(2)
    def circle(self):
        self.client.get(f"/circles/{self.me['circle']}/", name="circle")

    @task(3)
    def meeting(self):
        self.client.get(f"/meetings/{self.me['meeting']}/", name="meeting")

    @task(2)
    def actions(self):
        self.client.get("/actions/", name="my actions")

    @task(2)
    def answer(self):
        url = f"/meetings/{self.me['meeting']}/respond/"
        self.client.get(url, name="respond form")
        self.client.post(
            url,
            {
                "answer": random.choice(["attending", "not_attending", "maybe"]),  # noqa: S311
                "dietary_needs": "",
                "note": "",
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            headers={"Referer": f"{self.host}{url}"},
            name="respond",
        )
